using System.Linq;
using System.Threading.Tasks;

namespace Kiln.Runtime.TestChild;

/// <summary>A little of everything the executor runs: a plain task, a map, a join of two branches, an awaited task.</summary>
[Pipeline]
public static partial class GateProbe
{
    [Task]
    public static int[] Items(int count) => Enumerable.Range(1, count).ToArray();

    [Map]
    public static int Square(int items) => items * items;

    [Task]
    public static int Sum(int[] square) => square.Sum();

    [Task]
    public static int Largest(int[] square) => square.Max();

    [Task]
    public static async Task<int> Report(int sum, int largest)
    {
        await Task.Yield();
        return sum - largest;
    }
}
