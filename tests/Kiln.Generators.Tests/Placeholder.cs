namespace Kiln.Generators.Tests;

public class Placeholder
{
    [Xunit.Fact]
    public void ProjectBuilds() => Xunit.Assert.True(true);
}
