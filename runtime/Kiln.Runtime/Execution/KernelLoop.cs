using System;
using System.Runtime.ExceptionServices;
using System.ComponentModel;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Execution
{
    /// <summary>
    /// Runs a generated kernel loop over fixed blocks of elements, in parallel for large inputs, and folds reduction
    /// partials in a fixed tree. Block boundaries depend only on the length, so a reduction's float result is the
    /// same bit for bit whatever the degree of parallelism and whichever thread ran which block.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class KernelLoop
    {
        /// <summary>Elements per block: large enough to amortize scheduling, small enough to balance two cores.</summary>
        public const int BlockSize = 16384;

        /// <summary>The number of blocks covering <paramref name="length"/> elements.</summary>
        /// <param name="length">The stream length.</param>
        /// <returns>The block count (0 for an empty stream).</returns>
        public static int BlockCount(int length) => length <= 0 ? 0 : ((length - 1) / BlockSize) + 1;

        /// <summary>Calls <paramref name="body"/> once per block with the block's element range.</summary>
        /// <typeparam name="TState">The generated run.</typeparam>
        /// <param name="state">Passed to <paramref name="body"/>, so the body can be a static lambda.</param>
        /// <param name="length">The stream length.</param>
        /// <param name="maxDegreeOfParallelism">The most blocks that run at once.</param>
        /// <param name="cancellationToken">Checked between blocks: a long kernel loop stops soon after cancellation.</param>
        /// <param name="body">Called with (state, start, end, block).</param>
        public static void For<TState>(TState state, int length, int maxDegreeOfParallelism, CancellationToken cancellationToken, Action<TState, int, int, int> body)
        {
            int blocks = BlockCount(length);
            if (blocks <= 1 || maxDegreeOfParallelism <= 1)
            {
                for (int block = 0; block < blocks; block++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int start = block * BlockSize;
                    body(state, start, Math.Min(length, start + BlockSize), block);
                }

                return;
            }

            var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
            try
            {
                Parallel.For(0, blocks, options, block =>
                {
                    int start = block * BlockSize;
                    body(state, start, Math.Min(length, start + BlockSize), block);
                });
            }
            catch (AggregateException exception) when (exception.InnerExceptions.Count == 1)
            {
                // One block failed: throw what the kernel threw, as a sequential loop would (several stay aggregated).
                ExceptionDispatchInfo.Throw(exception.InnerExceptions[0]);
            }
        }

        /// <summary>Folds per-block partial results pairwise in a fixed tree; an empty stream gives the identity.</summary>
        /// <typeparam name="T">The element type.</typeparam>
        /// <param name="partials">One partial per block; overwritten.</param>
        /// <param name="identity">The reduction's identity.</param>
        /// <param name="combine">The reduction itself.</param>
        /// <returns>The folded value.</returns>
        public static T Combine<T>(T[] partials, T identity, Func<T, T, T> combine)
        {
            int count = partials.Length;
            if (count == 0)
            {
                return identity;
            }

            while (count > 1)
            {
                int half = count / 2;
                for (int i = 0; i < half; i++)
                {
                    partials[i] = combine(partials[2 * i], partials[(2 * i) + 1]);
                }

                if ((count & 1) != 0)
                {
                    partials[half] = partials[count - 1];
                    half++;
                }

                count = half;
            }

            return partials[0];
        }

        /// <summary>Throws when a kernel's streams differ in length, naming the kernel and the lengths.</summary>
        /// <param name="kernel">The kernel.</param>
        /// <param name="parameter">The parameter whose stream differs.</param>
        /// <param name="length">That stream's length.</param>
        /// <param name="reference">The parameter that fixed the length.</param>
        /// <param name="referenceLength">The length.</param>
        public static void CheckLength(string kernel, string parameter, int length, string reference, int referenceLength)
        {
            if (length != referenceLength)
            {
                throw new ArgumentException(string.Format(
                    CultureInfo.InvariantCulture,
                    "Kernel '{0}' reads streams of different lengths: '{1}' has {2} elements but '{3}' has {4}.",
                    kernel,
                    parameter,
                    length,
                    reference,
                    referenceLength));
            }
        }
    }
}
