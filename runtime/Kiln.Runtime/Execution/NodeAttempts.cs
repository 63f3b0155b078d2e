using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Kiln.Execution
{
    /// <summary>
    /// Runs a node's call under its resilience policy, on Polly: <c>Retries</c> more attempts after a failed one, with
    /// exponential backoff and jitter from <see cref="KilnOptions.RetryDelay"/>, and a cooperative <c>TimeoutMs</c> per
    /// attempt; or, when <see cref="KilnOptions.Resilience"/> gives one for the node, the user's own pipeline.
    /// Cancellation of the run is never retried. One instance per node, shared by every run. Used by generated code.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class NodeAttempts
    {
        private readonly string _node;
        private readonly int _retries;
        private readonly int _timeoutMs;
        private (TimeSpan Delay, ResiliencePipeline Pipeline)? _built;

        /// <summary>Describes a node's policy.</summary>
        /// <param name="node">The node's name.</param>
        /// <param name="retries">How many more attempts follow a failed one (0: none).</param>
        /// <param name="timeoutMs">The most milliseconds one attempt may take (0: no limit).</param>
        public NodeAttempts(string node, int retries, int timeoutMs)
        {
            ArgumentException.ThrowIfNullOrEmpty(node);
            ArgumentOutOfRangeException.ThrowIfNegative(retries);
            ArgumentOutOfRangeException.ThrowIfNegative(timeoutMs);
            _node = node;
            _retries = retries;
            _timeoutMs = timeoutMs;
        }

        /// <summary>
        /// Calls <paramref name="attempt"/> until it succeeds, the policy gives up, or the run is cancelled. A failure
        /// after the last attempt is thrown as <see cref="AttemptsExhaustedException"/> holding the attempt count and the
        /// last attempt's exception; an attempt that runs past <c>TimeoutMs</c> fails with <see cref="TimeoutException"/>
        /// once it ends.
        /// </summary>
        /// <typeparam name="TState">What the call needs, passed without a closure.</typeparam>
        /// <typeparam name="T">The node's output.</typeparam>
        /// <param name="options">The run's options.</param>
        /// <param name="state">Passed to every attempt.</param>
        /// <param name="attempt">One attempt; receives the attempt's token.</param>
        /// <param name="runToken">The run's token.</param>
        public async ValueTask<T> RunAsync<TState, T>(
            KilnOptions options,
            TState state,
            Func<TState, CancellationToken, ValueTask<T>> attempt,
            CancellationToken runToken)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(attempt);
            ResiliencePipeline? custom = options.Resilience?.Invoke(_node);
            var call = new Call<TState, T>(this, state, attempt, runToken, clocked: custom is null && _timeoutMs > 0);
            ResiliencePipeline pipeline = custom ?? PipelineFor(options.RetryDelay);
            try
            {
                return await pipeline.ExecuteAsync(static (c, token) => c.AttemptAsync(token), call, runToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (runToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                throw new AttemptsExhaustedException(_node, Math.Max(call.Attempts, 1), e);
            }
        }

        private ResiliencePipeline PipelineFor(TimeSpan delay)
        {
            if (_built is { } built && built.Delay == delay)
            {
                return built.Pipeline;
            }

            var builder = new ResiliencePipelineBuilder();
            if (_retries > 0)
            {
                builder.AddRetry(new RetryStrategyOptions
                {
                    MaxRetryAttempts = _retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = delay,
                    // Any failure of the node is retried, but never the run's own cancellation.
                    ShouldHandle = args => new ValueTask<bool>(
                        args.Outcome.Exception is not null && !args.Context.CancellationToken.IsCancellationRequested),
                });
            }

            if (_timeoutMs > 0)
            {
                builder.AddTimeout(TimeSpan.FromMilliseconds(_timeoutMs));
            }

            ResiliencePipeline pipeline = builder.Build();
            _built = (delay, pipeline);
            return pipeline;
        }

        private sealed class Call<TState, T>
        {
            private readonly NodeAttempts _policy;
            private readonly TState _state;
            private readonly Func<TState, CancellationToken, ValueTask<T>> _attempt;
            private readonly CancellationToken _runToken;
            private readonly bool _clocked;
            private int _attempts;

            // clocked: whether an attempt is also timed here. The timeout strategy cancels the attempt's token from a
            // timer, which can fire late on a loaded machine, after an attempt that ran past TimeoutMs has returned.
            public Call(NodeAttempts policy, TState state, Func<TState, CancellationToken, ValueTask<T>> attempt, CancellationToken runToken, bool clocked)
            {
                _policy = policy;
                _state = state;
                _attempt = attempt;
                _runToken = runToken;
                _clocked = clocked;
            }

            public int Attempts => Volatile.Read(ref _attempts);

            public async ValueTask<T> AttemptAsync(CancellationToken token)
            {
                Interlocked.Increment(ref _attempts);
                long started = _clocked ? Stopwatch.GetTimestamp() : 0;
                T result;
                try
                {
                    result = await _attempt(_state, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (TimedOut(token, started))
                {
                    throw _policy.Timeout(e);
                }

                // Cooperative: an attempt that ignored its cancelled token and finished late still counts as failed, and
                // so does one that ran past TimeoutMs before the timer got round to cancelling its token.
                if (TimedOut(token, started))
                {
                    throw _policy.Timeout(null);
                }

                return result;
            }

            private bool TimedOut(CancellationToken token, long started) =>
                _policy._timeoutMs > 0 && !_runToken.IsCancellationRequested
                && (token.IsCancellationRequested
                    || (_clocked && Stopwatch.GetElapsedTime(started).TotalMilliseconds >= _policy._timeoutMs));
        }

        private TimeoutException Timeout(Exception? inner) =>
            new($"Node '{_node}' did not finish an attempt within its TimeoutMs of {_timeoutMs} ms.", inner);
    }

    /// <summary>A node failed on its last attempt; <see cref="Exception.InnerException"/> is that attempt's failure.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class AttemptsExhaustedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="node">The node.</param>
        /// <param name="attempts">How many attempts it made.</param>
        /// <param name="last">The last attempt's failure.</param>
        public AttemptsExhaustedException(string node, int attempts, Exception last)
            : base($"Node '{node}' failed after {attempts} attempt(s): {last.Message}", last)
        {
            Attempts = attempts;
        }

        /// <summary>How many attempts the node made.</summary>
        public int Attempts { get; }

        /// <summary>Rethrows the last attempt's failure as it was thrown.</summary>
        public void RethrowLast() => ExceptionDispatchInfo.Capture(InnerException!).Throw();
    }
}
