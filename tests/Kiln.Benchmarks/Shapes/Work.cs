using System.Runtime.CompilerServices;

namespace Kiln.Benchmarks.Shapes;

/// <summary>The body of every benchmark node: as little work as the JIT cannot remove, so scheduling cost shows.</summary>
public static class Work
{
    // Slots 64 bytes apart, so nodes on two cores do not share a cache line.
    private static readonly int[] s_slots = new int[1024 * 16];
    private static int s_kept;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Touch(int node) => s_slots[(node & 1023) * 16]++;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Step(int value) => value + 1;

    public static void Keep(int value) => s_kept = value;

    public static int Kept => s_kept;
}
