namespace Kiln.Model
{
    /// <summary>Metadata names of the runtime types the build-time code recognizes.</summary>
    public static class KnownNames
    {
        public const string Namespace = "Kiln";
        public const string PipelineAttribute = "Kiln.PipelineAttribute";
        public const string TaskAttribute = "TaskAttribute";
        public const string KernelAttribute = "KernelAttribute";
        public const string ReduceAttribute = "ReduceAttribute";
        public const string StageAttribute = "StageAttribute";
        public const string FromAttribute = "FromAttribute";
        public const string AfterAttribute = "AfterAttribute";
        public const string OutputAttribute = "OutputAttribute";
        public const string IndexAttribute = "IndexAttribute";
        public const string MapAttribute = "MapAttribute";
        public const string WhenAttribute = "WhenAttribute";
        public const string PipelineAttributeName = "PipelineAttribute";
    }
}
