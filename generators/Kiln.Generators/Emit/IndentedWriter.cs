using System.Text;

namespace Kiln.Generators.Emit
{
    /// <summary>Writes C# text line by line with four-space indentation.</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder _text = new();
        private int _depth;

        public IndentedWriter Line(string line = "")
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _depth * 4);
            }

            _text.Append(line).Append('\n');
            return this;
        }

        public IndentedWriter Open(string line)
        {
            Line(line);
            Line("{");
            _depth++;
            return this;
        }

        /// <summary>Opens a bare block: <c>{</c> on a line of its own.</summary>
        public IndentedWriter OpenBlock()
        {
            Line("{");
            _depth++;
            return this;
        }

        public IndentedWriter Close(string suffix = "")
        {
            _depth--;
            return Line("}" + suffix);
        }

        public override string ToString() => _text.ToString();
    }
}
