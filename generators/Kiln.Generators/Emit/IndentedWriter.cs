using System;
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

        /// <summary>
        /// Opens a block under <paramref name="line"/> that closes when the result is disposed:
        /// <c>using (writer.Block("if (x)")) { ... }</c>.
        /// </summary>
        public BlockScope Block(string line, string suffix = "")
        {
            Open(line);
            return new BlockScope(this, suffix);
        }

        public override string ToString() => _text.ToString();

        /// <summary>Closes the block <see cref="Block"/> opened.</summary>
        public readonly struct BlockScope : IDisposable
        {
            private readonly IndentedWriter _writer;
            private readonly string _suffix;

            public BlockScope(IndentedWriter writer, string suffix)
            {
                _writer = writer;
                _suffix = suffix;
            }

            public void Dispose() => _writer.Close(_suffix);
        }
    }
}
