// netstandard2.0 lacks the type init accessors compile against (Kiln.Model has its own, internal to it).
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit
    {
    }
}
