using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace Kiln.Runtime.Tests.Stages;

/// <summary>
/// A <see cref="PipeReader"/> over fixed bytes that makes a random amount more visible at each read and hands it out
/// as a chain of random-sized segments, sometimes asynchronously: stages must not depend on how bytes are chunked.
/// </summary>
public sealed class ChunkedReader : PipeReader
{
    private readonly byte[] _data;
    private readonly Random _random;
    private readonly int _maxStep;
    private long _consumed;
    private long _visible;
    private bool _wantsMore = true;
    private ReadOnlySequence<byte> _current;

    public ChunkedReader(byte[] data, int seed, int maxStep = 5000)
    {
        _data = data;
        _random = new Random(seed);
        _maxStep = maxStep;
    }

    public bool IsCompleted { get; private set; }

    public Exception? CompletedWith { get; private set; }

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (_random.Next(4) == 0)
        {
            await Task.Yield();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Next();
    }

    public override bool TryRead(out ReadResult result)
    {
        result = Next();
        return true;
    }

    private ReadResult Next()
    {
        if (IsCompleted)
        {
            throw new InvalidOperationException("Read after Complete.");
        }

        if (_wantsMore && _visible < _data.Length)
        {
            _visible = Math.Min(_data.Length, _visible + _random.Next(1, _maxStep + 1));
        }

        _wantsMore = false;
        _current = Segments(_consumed, _visible);
        return new ReadResult(_current, isCanceled: false, isCompleted: _visible == _data.Length);
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        long examinedOffset = _current.Slice(_current.Start, examined).Length;
        _consumed += _current.Slice(_current.Start, consumed).Length;
        _wantsMore = examinedOffset >= _current.Length;
    }

    public override void CancelPendingRead()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        IsCompleted = true;
        CompletedWith = exception;
    }

    private ReadOnlySequence<byte> Segments(long start, long end)
    {
        if (start == end)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new Segment(new ReadOnlyMemory<byte>(_data, (int)start, Step(start, end)), 0);
        Segment last = first;
        for (long at = start + first.Memory.Length; at < end;)
        {
            int length = Step(at, end);
            last = last.Append(new ReadOnlyMemory<byte>(_data, (int)at, length));
            at += length;
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private int Step(long at, long end) => (int)Math.Min(end - at, _random.Next(1, 300));

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
