using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Kiln.Runtime.Tests.Execution;

// 150 independent single-task units: more than two of the generated dispatch switches (64 units each), every unit
// a case of a switch rather than a method of its own. Each node only counts itself (and throws when told to).
[Pipeline]
public static partial class WideFanOut
{
    [Task] public static void N0(int[] counts, int failAt) => Hit(counts, failAt, 0);
    [Task] public static void N1(int[] counts, int failAt) => Hit(counts, failAt, 1);
    [Task] public static void N2(int[] counts, int failAt) => Hit(counts, failAt, 2);
    [Task] public static void N3(int[] counts, int failAt) => Hit(counts, failAt, 3);
    [Task] public static void N4(int[] counts, int failAt) => Hit(counts, failAt, 4);
    [Task] public static void N5(int[] counts, int failAt) => Hit(counts, failAt, 5);
    [Task] public static void N6(int[] counts, int failAt) => Hit(counts, failAt, 6);
    [Task] public static void N7(int[] counts, int failAt) => Hit(counts, failAt, 7);
    [Task] public static void N8(int[] counts, int failAt) => Hit(counts, failAt, 8);
    [Task] public static void N9(int[] counts, int failAt) => Hit(counts, failAt, 9);
    [Task] public static void N10(int[] counts, int failAt) => Hit(counts, failAt, 10);
    [Task] public static void N11(int[] counts, int failAt) => Hit(counts, failAt, 11);
    [Task] public static void N12(int[] counts, int failAt) => Hit(counts, failAt, 12);
    [Task] public static void N13(int[] counts, int failAt) => Hit(counts, failAt, 13);
    [Task] public static void N14(int[] counts, int failAt) => Hit(counts, failAt, 14);
    [Task] public static void N15(int[] counts, int failAt) => Hit(counts, failAt, 15);
    [Task] public static void N16(int[] counts, int failAt) => Hit(counts, failAt, 16);
    [Task] public static void N17(int[] counts, int failAt) => Hit(counts, failAt, 17);
    [Task] public static void N18(int[] counts, int failAt) => Hit(counts, failAt, 18);
    [Task] public static void N19(int[] counts, int failAt) => Hit(counts, failAt, 19);
    [Task] public static void N20(int[] counts, int failAt) => Hit(counts, failAt, 20);
    [Task] public static void N21(int[] counts, int failAt) => Hit(counts, failAt, 21);
    [Task] public static void N22(int[] counts, int failAt) => Hit(counts, failAt, 22);
    [Task] public static void N23(int[] counts, int failAt) => Hit(counts, failAt, 23);
    [Task] public static void N24(int[] counts, int failAt) => Hit(counts, failAt, 24);
    [Task] public static void N25(int[] counts, int failAt) => Hit(counts, failAt, 25);
    [Task] public static void N26(int[] counts, int failAt) => Hit(counts, failAt, 26);
    [Task] public static void N27(int[] counts, int failAt) => Hit(counts, failAt, 27);
    [Task] public static void N28(int[] counts, int failAt) => Hit(counts, failAt, 28);
    [Task] public static void N29(int[] counts, int failAt) => Hit(counts, failAt, 29);
    [Task] public static void N30(int[] counts, int failAt) => Hit(counts, failAt, 30);
    [Task] public static void N31(int[] counts, int failAt) => Hit(counts, failAt, 31);
    [Task] public static void N32(int[] counts, int failAt) => Hit(counts, failAt, 32);
    [Task] public static void N33(int[] counts, int failAt) => Hit(counts, failAt, 33);
    [Task] public static void N34(int[] counts, int failAt) => Hit(counts, failAt, 34);
    [Task] public static void N35(int[] counts, int failAt) => Hit(counts, failAt, 35);
    [Task] public static void N36(int[] counts, int failAt) => Hit(counts, failAt, 36);
    [Task] public static void N37(int[] counts, int failAt) => Hit(counts, failAt, 37);
    [Task] public static void N38(int[] counts, int failAt) => Hit(counts, failAt, 38);
    [Task] public static void N39(int[] counts, int failAt) => Hit(counts, failAt, 39);
    [Task] public static void N40(int[] counts, int failAt) => Hit(counts, failAt, 40);
    [Task] public static void N41(int[] counts, int failAt) => Hit(counts, failAt, 41);
    [Task] public static void N42(int[] counts, int failAt) => Hit(counts, failAt, 42);
    [Task] public static void N43(int[] counts, int failAt) => Hit(counts, failAt, 43);
    [Task] public static void N44(int[] counts, int failAt) => Hit(counts, failAt, 44);
    [Task] public static void N45(int[] counts, int failAt) => Hit(counts, failAt, 45);
    [Task] public static void N46(int[] counts, int failAt) => Hit(counts, failAt, 46);
    [Task] public static void N47(int[] counts, int failAt) => Hit(counts, failAt, 47);
    [Task] public static void N48(int[] counts, int failAt) => Hit(counts, failAt, 48);
    [Task] public static void N49(int[] counts, int failAt) => Hit(counts, failAt, 49);
    [Task] public static void N50(int[] counts, int failAt) => Hit(counts, failAt, 50);
    [Task] public static void N51(int[] counts, int failAt) => Hit(counts, failAt, 51);
    [Task] public static void N52(int[] counts, int failAt) => Hit(counts, failAt, 52);
    [Task] public static void N53(int[] counts, int failAt) => Hit(counts, failAt, 53);
    [Task] public static void N54(int[] counts, int failAt) => Hit(counts, failAt, 54);
    [Task] public static void N55(int[] counts, int failAt) => Hit(counts, failAt, 55);
    [Task] public static void N56(int[] counts, int failAt) => Hit(counts, failAt, 56);
    [Task] public static void N57(int[] counts, int failAt) => Hit(counts, failAt, 57);
    [Task] public static void N58(int[] counts, int failAt) => Hit(counts, failAt, 58);
    [Task] public static void N59(int[] counts, int failAt) => Hit(counts, failAt, 59);
    [Task] public static void N60(int[] counts, int failAt) => Hit(counts, failAt, 60);
    [Task] public static void N61(int[] counts, int failAt) => Hit(counts, failAt, 61);
    [Task] public static void N62(int[] counts, int failAt) => Hit(counts, failAt, 62);
    [Task] public static void N63(int[] counts, int failAt) => Hit(counts, failAt, 63);
    [Task] public static void N64(int[] counts, int failAt) => Hit(counts, failAt, 64);
    [Task] public static void N65(int[] counts, int failAt) => Hit(counts, failAt, 65);
    [Task] public static void N66(int[] counts, int failAt) => Hit(counts, failAt, 66);
    [Task] public static void N67(int[] counts, int failAt) => Hit(counts, failAt, 67);
    [Task] public static void N68(int[] counts, int failAt) => Hit(counts, failAt, 68);
    [Task] public static void N69(int[] counts, int failAt) => Hit(counts, failAt, 69);
    [Task] public static void N70(int[] counts, int failAt) => Hit(counts, failAt, 70);
    [Task] public static void N71(int[] counts, int failAt) => Hit(counts, failAt, 71);
    [Task] public static void N72(int[] counts, int failAt) => Hit(counts, failAt, 72);
    [Task] public static void N73(int[] counts, int failAt) => Hit(counts, failAt, 73);
    [Task] public static void N74(int[] counts, int failAt) => Hit(counts, failAt, 74);
    [Task] public static void N75(int[] counts, int failAt) => Hit(counts, failAt, 75);
    [Task] public static void N76(int[] counts, int failAt) => Hit(counts, failAt, 76);
    [Task] public static void N77(int[] counts, int failAt) => Hit(counts, failAt, 77);
    [Task] public static void N78(int[] counts, int failAt) => Hit(counts, failAt, 78);
    [Task] public static void N79(int[] counts, int failAt) => Hit(counts, failAt, 79);
    [Task] public static void N80(int[] counts, int failAt) => Hit(counts, failAt, 80);
    [Task] public static void N81(int[] counts, int failAt) => Hit(counts, failAt, 81);
    [Task] public static void N82(int[] counts, int failAt) => Hit(counts, failAt, 82);
    [Task] public static void N83(int[] counts, int failAt) => Hit(counts, failAt, 83);
    [Task] public static void N84(int[] counts, int failAt) => Hit(counts, failAt, 84);
    [Task] public static void N85(int[] counts, int failAt) => Hit(counts, failAt, 85);
    [Task] public static void N86(int[] counts, int failAt) => Hit(counts, failAt, 86);
    [Task] public static void N87(int[] counts, int failAt) => Hit(counts, failAt, 87);
    [Task] public static void N88(int[] counts, int failAt) => Hit(counts, failAt, 88);
    [Task] public static void N89(int[] counts, int failAt) => Hit(counts, failAt, 89);
    [Task] public static void N90(int[] counts, int failAt) => Hit(counts, failAt, 90);
    [Task] public static void N91(int[] counts, int failAt) => Hit(counts, failAt, 91);
    [Task] public static void N92(int[] counts, int failAt) => Hit(counts, failAt, 92);
    [Task] public static void N93(int[] counts, int failAt) => Hit(counts, failAt, 93);
    [Task] public static void N94(int[] counts, int failAt) => Hit(counts, failAt, 94);
    [Task] public static void N95(int[] counts, int failAt) => Hit(counts, failAt, 95);
    [Task] public static void N96(int[] counts, int failAt) => Hit(counts, failAt, 96);
    [Task] public static void N97(int[] counts, int failAt) => Hit(counts, failAt, 97);
    [Task] public static void N98(int[] counts, int failAt) => Hit(counts, failAt, 98);
    [Task] public static void N99(int[] counts, int failAt) => Hit(counts, failAt, 99);
    [Task] public static void N100(int[] counts, int failAt) => Hit(counts, failAt, 100);
    [Task] public static void N101(int[] counts, int failAt) => Hit(counts, failAt, 101);
    [Task] public static void N102(int[] counts, int failAt) => Hit(counts, failAt, 102);
    [Task] public static void N103(int[] counts, int failAt) => Hit(counts, failAt, 103);
    [Task] public static void N104(int[] counts, int failAt) => Hit(counts, failAt, 104);
    [Task] public static void N105(int[] counts, int failAt) => Hit(counts, failAt, 105);
    [Task] public static void N106(int[] counts, int failAt) => Hit(counts, failAt, 106);
    [Task] public static void N107(int[] counts, int failAt) => Hit(counts, failAt, 107);
    [Task] public static void N108(int[] counts, int failAt) => Hit(counts, failAt, 108);
    [Task] public static void N109(int[] counts, int failAt) => Hit(counts, failAt, 109);
    [Task] public static void N110(int[] counts, int failAt) => Hit(counts, failAt, 110);
    [Task] public static void N111(int[] counts, int failAt) => Hit(counts, failAt, 111);
    [Task] public static void N112(int[] counts, int failAt) => Hit(counts, failAt, 112);
    [Task] public static void N113(int[] counts, int failAt) => Hit(counts, failAt, 113);
    [Task] public static void N114(int[] counts, int failAt) => Hit(counts, failAt, 114);
    [Task] public static void N115(int[] counts, int failAt) => Hit(counts, failAt, 115);
    [Task] public static void N116(int[] counts, int failAt) => Hit(counts, failAt, 116);
    [Task] public static void N117(int[] counts, int failAt) => Hit(counts, failAt, 117);
    [Task] public static void N118(int[] counts, int failAt) => Hit(counts, failAt, 118);
    [Task] public static void N119(int[] counts, int failAt) => Hit(counts, failAt, 119);
    [Task] public static void N120(int[] counts, int failAt) => Hit(counts, failAt, 120);
    [Task] public static void N121(int[] counts, int failAt) => Hit(counts, failAt, 121);
    [Task] public static void N122(int[] counts, int failAt) => Hit(counts, failAt, 122);
    [Task] public static void N123(int[] counts, int failAt) => Hit(counts, failAt, 123);
    [Task] public static void N124(int[] counts, int failAt) => Hit(counts, failAt, 124);
    [Task] public static void N125(int[] counts, int failAt) => Hit(counts, failAt, 125);
    [Task] public static void N126(int[] counts, int failAt) => Hit(counts, failAt, 126);
    [Task] public static void N127(int[] counts, int failAt) => Hit(counts, failAt, 127);
    [Task] public static void N128(int[] counts, int failAt) => Hit(counts, failAt, 128);
    [Task] public static void N129(int[] counts, int failAt) => Hit(counts, failAt, 129);
    [Task] public static void N130(int[] counts, int failAt) => Hit(counts, failAt, 130);
    [Task] public static void N131(int[] counts, int failAt) => Hit(counts, failAt, 131);
    [Task] public static void N132(int[] counts, int failAt) => Hit(counts, failAt, 132);
    [Task] public static void N133(int[] counts, int failAt) => Hit(counts, failAt, 133);
    [Task] public static void N134(int[] counts, int failAt) => Hit(counts, failAt, 134);
    [Task] public static void N135(int[] counts, int failAt) => Hit(counts, failAt, 135);
    [Task] public static void N136(int[] counts, int failAt) => Hit(counts, failAt, 136);
    [Task] public static void N137(int[] counts, int failAt) => Hit(counts, failAt, 137);
    [Task] public static void N138(int[] counts, int failAt) => Hit(counts, failAt, 138);
    [Task] public static void N139(int[] counts, int failAt) => Hit(counts, failAt, 139);
    [Task] public static void N140(int[] counts, int failAt) => Hit(counts, failAt, 140);
    [Task] public static void N141(int[] counts, int failAt) => Hit(counts, failAt, 141);
    [Task] public static void N142(int[] counts, int failAt) => Hit(counts, failAt, 142);
    [Task] public static void N143(int[] counts, int failAt) => Hit(counts, failAt, 143);
    [Task] public static void N144(int[] counts, int failAt) => Hit(counts, failAt, 144);
    [Task] public static void N145(int[] counts, int failAt) => Hit(counts, failAt, 145);
    [Task] public static void N146(int[] counts, int failAt) => Hit(counts, failAt, 146);
    [Task] public static void N147(int[] counts, int failAt) => Hit(counts, failAt, 147);
    [Task] public static void N148(int[] counts, int failAt) => Hit(counts, failAt, 148);
    [Task] public static void N149(int[] counts, int failAt) => Hit(counts, failAt, 149);

    public const int Width = 150;

    private static void Hit(int[] counts, int failAt, int node)
    {
        Interlocked.Increment(ref counts[node]);
        if (node == failAt)
        {
            throw new InvalidOperationException("node " + node);
        }
    }
}

public sealed class WideDispatchTests
{
    [Fact]
    public async Task Every_unit_of_a_wide_graph_runs_exactly_once()
    {
        var random = new Random(20261128);
        for (int run = 0; run < 20; run++)
        {
            var counts = new int[WideFanOut.Width];
            var options = new KilnOptions { MaxDegreeOfParallelism = 1 + random.Next(4) };
            await WideFanOut.RunAsync(counts, failAt: -1, options);
            Assert.All(counts, count => Assert.Equal(1, count));
        }
    }

    [Fact]
    public async Task A_failing_unit_in_any_dispatch_chunk_is_named_in_the_PipelineException()
    {
        var random = new Random(7);
        foreach (int failAt in new[] { 0, 63, 64, 65, 127, 128, 149, random.Next(WideFanOut.Width) })
        {
            var counts = new int[WideFanOut.Width];
            var failure = await Assert.ThrowsAsync<PipelineException>(() => WideFanOut.RunAsync(counts, failAt, new KilnOptions { MaxDegreeOfParallelism = 1 }));
            Assert.Equal("N" + failAt, failure.NodeName);
            Assert.Equal("node " + failAt, Assert.IsType<InvalidOperationException>(failure.InnerException).Message);
            Assert.Equal(1, counts[failAt]);
        }
    }
}
