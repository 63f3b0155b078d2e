using System;
using System.Collections.Generic;

namespace Kiln
{
    /// <summary>
    /// A value that may be missing: what a parameter of type <c>Optional&lt;T&gt;</c> receives from a node that a
    /// <c>[When]</c> condition skipped (<see cref="None"/>), or that node's output.
    /// </summary>
    /// <typeparam name="T">The value's type.</typeparam>
    public readonly struct Optional<T> : IEquatable<Optional<T>>
    {
        private readonly T _value;

        /// <summary>Wraps a present value.</summary>
        /// <param name="value">The value.</param>
        public Optional(T value)
        {
            _value = value;
            HasValue = true;
        }

        /// <summary>No value: the producing node was skipped.</summary>
        public static Optional<T> None => default;

        /// <summary>Whether there is a value.</summary>
        public bool HasValue { get; }

        /// <summary>The value.</summary>
        /// <exception cref="InvalidOperationException">There is none: the producing node was skipped.</exception>
        public T Value => HasValue
            ? _value
            : throw new InvalidOperationException($"The Optional<{typeof(T).Name}> has no value: the node that produces it was skipped.");

        /// <summary>Converts a value into a present <see cref="Optional{T}"/>.</summary>
        /// <param name="value">The value.</param>
        public static implicit operator Optional<T>(T value) => new(value);

        /// <summary>Whether two optionals are both empty, or both hold equal values.</summary>
        public static bool operator ==(Optional<T> left, Optional<T> right) => left.Equals(right);

        /// <summary>Whether two optionals differ.</summary>
        public static bool operator !=(Optional<T> left, Optional<T> right) => !left.Equals(right);

        /// <summary>The value, or <paramref name="fallback"/> when there is none.</summary>
        /// <param name="fallback">What to return when there is no value.</param>
        public T GetValueOrDefault(T fallback) => HasValue ? _value : fallback;

        /// <inheritdoc />
        public bool Equals(Optional<T> other) =>
            HasValue == other.HasValue && (!HasValue || EqualityComparer<T>.Default.Equals(_value, other._value));

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Optional<T> other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => HasValue ? HashCode.Combine(true, _value) : 0;

        /// <summary>The value as text, or <c>None</c>.</summary>
        public override string ToString() => HasValue ? _value?.ToString() ?? string.Empty : "None";
    }
}
