using System;

namespace Kiln
{
    /// <summary>
    /// Random read access to a whole stream from inside a kernel. Indices outside <c>[0, Length)</c> clamp to the nearest edge.
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    public readonly struct Gather<T>
    {
        private readonly T[] _items;

        /// <summary>Wraps <paramref name="items"/>.</summary>
        /// <param name="items">The stream's elements.</param>
        public Gather(T[] items) => _items = items ?? throw new ArgumentNullException(nameof(items));

        /// <summary>The number of elements.</summary>
        public int Length => _items.Length;

        /// <summary>The element at <paramref name="index"/>, clamped to <c>[0, Length)</c>.</summary>
        /// <param name="index">Any index.</param>
        public T this[int index] => _items[Math.Clamp(index, 0, _items.Length - 1)];
    }
}
