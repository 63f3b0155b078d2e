System.Console.WriteLine("AgentWorkflow: coming up");
