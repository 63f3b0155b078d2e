using System;
using Xunit;

namespace Kiln.Runtime.Tests.Resilience;

public sealed class OptionalTests
{
    [Fact]
    public void None_has_no_value_and_reading_it_says_the_producer_was_skipped()
    {
        Optional<string> none = Optional<string>.None;
        Assert.False(none.HasValue);
        var e = Assert.Throws<InvalidOperationException>(() => none.Value);
        Assert.Contains("skipped", e.Message);
        Assert.Equal("fallback", none.GetValueOrDefault("fallback"));
        Assert.Equal(default, none);
    }

    [Fact]
    public void A_value_converts_implicitly_and_compares_by_value()
    {
        Optional<int> five = 5;
        Assert.True(five.HasValue);
        Assert.Equal(5, five.Value);
        Assert.Equal(5, five.GetValueOrDefault(9));
        Assert.True(five == new Optional<int>(5));
        Assert.True(five != Optional<int>.None);
        Assert.False(new Optional<int>(0) == Optional<int>.None); // a present default is not None
    }
}
