using Kiln;

// Deliberately broken: A needs C, C needs B, B needs A. The build must fail with KILN001 naming the cycle.
await Loop.RunAsync(seed: 1);

[Pipeline]
public static partial class Loop
{
    [Task] public static int A(int c, int seed) => c + seed;

    [Task] public static int B(int a) => a * 2;

    [Task] public static int C(int b) => b - 1;
}
