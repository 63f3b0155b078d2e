using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.Text;

namespace Kiln.Testing
{
    /// <summary>An expected diagnostic read from <c>{|KILN001:marked|}</c> markup.</summary>
    public sealed record ExpectedDiagnostic(string Id, TextSpan Span, string Text);

    /// <summary>Reads <c>{|ID:text|}</c> spans out of test source (nesting allowed).</summary>
    public static class Markup
    {
        private static readonly Regex Open = new(@"\{\|([A-Za-z0-9]+):", RegexOptions.Compiled);

        public static (string Source, List<ExpectedDiagnostic> Expected) Parse(string markup)
        {
            var source = new StringBuilder();
            var expected = new List<ExpectedDiagnostic>();
            var open = new Stack<(string Id, int Start)>();
            int i = 0;
            while (i < markup.Length)
            {
                Match match = Open.Match(markup, i);
                int close = markup.IndexOf("|}", i, StringComparison.Ordinal);
                if (match.Success && match.Index == i)
                {
                    open.Push((match.Groups[1].Value, source.Length));
                    i += match.Length;
                }
                else if (close == i && open.Count > 0)
                {
                    var (id, start) = open.Pop();
                    expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length), source.ToString(start, source.Length - start)));
                    i += 2;
                }
                else
                {
                    source.Append(markup[i]);
                    i++;
                }
            }

            if (open.Count > 0)
            {
                throw new FormatException("Unclosed {|ID: marker in test markup.");
            }

            expected.Sort((a, b) => a.Span.Start != b.Span.Start ? a.Span.Start.CompareTo(b.Span.Start) : string.CompareOrdinal(a.Id, b.Id));
            return (source.ToString(), expected);
        }
    }
}
