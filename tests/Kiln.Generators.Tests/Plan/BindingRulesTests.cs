using Kiln.Model;
using Xunit;

namespace Kiln.Generators.Tests.Plan;

/// <summary>SPEC section 2's precedence, as <see cref="BindingRules"/> applies it to plain parameter facts.</summary>
public class BindingRulesTests
{
    private static readonly BindingRules Rules = new(new[] { "Fetch", "Parse", "parse", "Gamma" });

    private static ParameterFacts Parameter(string name, int position = 0, bool isIndex = false, string? from = null, bool hasFrom = false,
        bool isPipeWriter = false, bool isToken = false) =>
        new(name, position, isIndex, hasFrom || from is not null, from, isPipeWriter, isToken);

    [Fact]
    public void From_wins_over_a_matching_name()
    {
        Assert.Equal((ParameterRole.Node, 0), Rules.Bind(Parameter("parse", from: "Fetch"), self: 3, NodeKindSpec.Task));
    }

    [Fact]
    public void From_naming_no_node_is_an_unknown_producer_even_when_the_name_matches()
    {
        Assert.Equal((ParameterRole.UnknownProducer, -1), Rules.Bind(Parameter("parse", from: "Nope"), self: 3, NodeKindSpec.Task));
        Assert.Equal((ParameterRole.UnknownProducer, -1), Rules.Bind(Parameter("parse", hasFrom: true), self: 3, NodeKindSpec.Task));
    }

    [Fact]
    public void A_name_binds_ignoring_case_and_an_exact_match_wins()
    {
        Assert.Equal((ParameterRole.Node, 0), Rules.Bind(Parameter("FETCH"), self: 3, NodeKindSpec.Task));
        Assert.Equal((ParameterRole.Node, 2), Rules.Bind(Parameter("parse"), self: 3, NodeKindSpec.Task));
    }

    [Fact]
    public void A_name_wins_over_a_cancellation_token_type()
    {
        Assert.Equal((ParameterRole.Node, 0), Rules.Bind(Parameter("fetch", isToken: true), self: 3, NodeKindSpec.Task));
        Assert.Equal((ParameterRole.Cancellation, -1), Rules.Bind(Parameter("ct", isToken: true), self: 3, NodeKindSpec.Task));
    }

    [Fact]
    public void A_parameter_named_as_its_own_node_falls_through_to_an_input()
    {
        Assert.Equal((ParameterRole.Input, -1), Rules.Bind(Parameter("gamma"), self: 3, NodeKindSpec.Task));
    }

    [Fact]
    public void The_kind_gives_index_accumulator_and_output_pipe_before_any_name()
    {
        Assert.Equal((ParameterRole.Index, -1), Rules.Bind(Parameter("fetch", isIndex: true), self: 3, NodeKindSpec.Kernel));
        Assert.Equal((ParameterRole.Accumulator, -1), Rules.Bind(Parameter("fetch", position: 0), self: 3, NodeKindSpec.Reduce));
        Assert.Equal((ParameterRole.PipeOutput, -1), Rules.Bind(Parameter("fetch", isPipeWriter: true), self: 3, NodeKindSpec.Stage));
        Assert.Equal((ParameterRole.Node, 0), Rules.Bind(Parameter("fetch", isIndex: true), self: 3, NodeKindSpec.Task));
    }
}
