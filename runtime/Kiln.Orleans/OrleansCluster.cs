using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;

namespace Kiln.Orleans
{
    /// <summary>
    /// An Orleans cluster as a Kiln cluster (<see cref="KilnOptions.Cluster"/>): each call of a distributed node (each map
    /// item) goes to a grain on a silo that runs <c>AddKiln()</c>, the silos taken in turn, so a map spreads over all of
    /// them. A call whose silo is lost (the call fails in transport, or the membership stops listing the silo while the call
    /// runs) runs again on another silo, up to <see cref="KilnOptions.ClusterAttempts"/> silos.
    /// </summary>
    public sealed class OrleansCluster : IKilnCluster
    {
        private const int GrainsPerSilo = 4;
        private readonly IGrainFactory _grains;
        private readonly object _gate = new();
        private Silo[] _silos = Array.Empty<Silo>();
        private readonly Dictionary<string, long> _suspects = new(StringComparer.Ordinal);
        private long _viewTime;
        private int _next;
        private int _inFlight;
        private Task? _watch;
        private Task? _refreshing;

        /// <summary>Uses the cluster <paramref name="grains"/> reaches (an <c>IClusterClient</c>, or a silo's grain factory).</summary>
        /// <param name="grains">The client's or silo's grain factory.</param>
        /// <param name="name">The cluster's name in messages; defaults to the client's <c>ClusterOptions.ClusterId</c>.</param>
        public OrleansCluster(IGrainFactory grains, string? name = null)
        {
            ArgumentNullException.ThrowIfNull(grains);
            _grains = grains;
            Name = name
                ?? (grains as IClusterClient)?.ServiceProvider.GetService<IOptions<ClusterOptions>>()?.Value.ClusterId
                ?? "orleans";
        }

        /// <inheritdoc />
        public string Name { get; }

        /// <summary>How often the list of active silos is read while calls run (a lost silo is noticed this fast once the
        /// membership has declared it dead). Defaults to 500 ms.</summary>
        public TimeSpan MembershipRefresh { get; init; } = TimeSpan.FromMilliseconds(500);

        /// <summary>
        /// How long a silo that failed a call in transport gets no new calls, unless it is the only one left. Defaults to
        /// 3 s: long enough for the membership to declare a dead silo dead with tuned failure detection, short enough that a
        /// live silo whose call failed on the way (through a gateway that died) soon takes its share again.
        /// </summary>
        public TimeSpan SuspectFor { get; init; } = TimeSpan.FromSeconds(3);

        /// <inheritdoc />
        public async ValueTask<ClusterResult> InvokeAsync(ClusterCall call, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(call);
            var request = new KilnNodeRequest(call.Pipeline, call.Node, call.Fingerprint, call.Arguments, call.Item, call.ItemIndex);
            var tried = new List<string>();
            Exception? last = null;
            EnterCall();
            try
            {
                for (int attempt = 0; attempt < Math.Max(1, call.Attempts); attempt++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await EnsureViewAsync(cancellationToken).ConfigureAwait(false);
                    Silo? silo = Pick(tried);
                    string key = (silo?.Address ?? "any") + "|" + (silo is null ? Guid.NewGuid().ToString("n") : Random.Shared.Next(GrainsPerSilo).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    IKilnNodeGrain grain = _grains.GetGrain<IKilnNodeGrain>(key);
                    try
                    {
                        Task<KilnNodeResponse> pending = grain.Run(request, cancellationToken);
                        KilnNodeResponse response = silo is null
                            ? await pending.ConfigureAwait(false)
                            : await WatchAsync(pending, silo, cancellationToken).ConfigureAwait(false);
                        if (response.ErrorType is not null)
                        {
                            throw new RemoteNodeException(response.ErrorType, response.ErrorMessage ?? string.Empty, response.Worker, response.ErrorStackTrace);
                        }

                        return new ClusterResult(response.Value ?? Array.Empty<byte>(), response.Worker);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        throw;
                    }
                    catch (RemoteNodeException)
                    {
                        throw;
                    }
                    catch (Exception e)
                    {
                        // The silo, or the way to it, failed: not the node. Try another silo.
                        last = e;
                        if (silo is not null)
                        {
                            tried.Add(silo.Address);
                            Suspect(silo.Address);
                        }

                        await Task.Delay(TimeSpan.FromMilliseconds(50 * (attempt + 1)), cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                LeaveCall();
            }

            throw new ClusterUnavailableException(Name,
                $"No silo of Orleans cluster '{Name}' could run node '{call.Node}' of pipeline '{call.Pipeline}' in {Math.Max(1, call.Attempts)} "
                    + $"attempt(s): {last?.GetType().Name}: {last?.Message}", last);
        }

        // The call, unless the membership stops listing its silo first: then it counts as lost, and its eventual end is
        // observed and dropped.
        private static async Task<KilnNodeResponse> WatchAsync(Task<KilnNodeResponse> pending, Silo silo, CancellationToken cancellationToken)
        {
            try
            {
                return await pending.WaitAsync(silo.Lost.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (silo.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                _ = pending.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                throw new SiloLostException($"Silo {silo.Name} ({silo.Address}) left the cluster while it ran the call.");
            }
        }

        private Silo? Pick(List<string> tried)
        {
            lock (_gate)
            {
                if (_silos.Length == 0)
                {
                    return null;
                }

                long now = Environment.TickCount64;
                for (int pass = 0; pass < 2; pass++)
                {
                    for (int i = 0; i < _silos.Length; i++)
                    {
                        Silo candidate = _silos[(_next + i) % _silos.Length];
                        bool suspect = _suspects.TryGetValue(candidate.Address, out long until) && until > now;
                        if (!tried.Contains(candidate.Address) && (pass == 1 || !suspect))
                        {
                            _next = (_next + i + 1) % _silos.Length;
                            return candidate;
                        }
                    }
                }

                return null; // every known silo was tried: let Orleans place the call anywhere
            }
        }

        private void Suspect(string address)
        {
            lock (_gate)
            {
                _suspects[address] = Environment.TickCount64 + (long)SuspectFor.TotalMilliseconds;
            }
        }

        private Task EnsureViewAsync(CancellationToken cancellationToken)
        {
            Task refresh;
            lock (_gate)
            {
                bool fresh = _viewTime != 0 && Environment.TickCount64 - _viewTime < MembershipRefresh.TotalMilliseconds;
                if (fresh)
                {
                    return Task.CompletedTask;
                }

                refresh = _refreshing ??= RefreshAsync();
                if (_viewTime != 0)
                {
                    return Task.CompletedTask; // a stale view serves while the refresh runs
                }
            }

            return refresh.WaitAsync(cancellationToken);
        }

        private async Task RefreshAsync()
        {
            try
            {
                KilnSilo[] active = await _grains.GetGrain<IKilnMembershipGrain>(0).ActiveSilos()
                    .WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                List<Silo> lost = new();
                lock (_gate)
                {
                    var next = new List<Silo>();
                    foreach (KilnSilo s in active)
                    {
                        Silo? known = Array.Find(_silos, x => x.Address == s.Address);
                        next.Add(known ?? new Silo(s.Address, s.Name));
                    }

                    foreach (Silo old in _silos)
                    {
                        if (!next.Exists(x => x.Address == old.Address))
                        {
                            lost.Add(old);
                        }
                    }

                    _silos = next.ToArray();
                    _viewTime = Environment.TickCount64;
                }

                foreach (Silo silo in lost)
                {
                    silo.Lost.Cancel();
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // No view this time (no gateway reachable, or the one asked just died): keep the last one; calls say why.
                lock (_gate)
                {
                    _viewTime = _viewTime == 0 ? 0 : Environment.TickCount64 - (long)MembershipRefresh.TotalMilliseconds / 2;
                }
            }
            finally
            {
                lock (_gate)
                {
                    _refreshing = null;
                }
            }
        }

        // While calls run, the view is refreshed on a timer, so a call on a silo that died is noticed even when no new call comes.
        private void EnterCall()
        {
            if (Interlocked.Increment(ref _inFlight) == 1)
            {
                lock (_gate)
                {
                    _watch ??= WatchLoopAsync();
                }
            }
        }

        private void LeaveCall() => Interlocked.Decrement(ref _inFlight);

        private async Task WatchLoopAsync()
        {
            try
            {
                while (Volatile.Read(ref _inFlight) > 0)
                {
                    await Task.Delay(MembershipRefresh).ConfigureAwait(false);
                    Task refresh;
                    lock (_gate)
                    {
                        refresh = _refreshing ??= RefreshAsync();
                    }

                    await refresh.ConfigureAwait(false);
                }
            }
            finally
            {
                lock (_gate)
                {
                    _watch = null;
                }

                if (Volatile.Read(ref _inFlight) > 0)
                {
                    lock (_gate)
                    {
                        _watch ??= WatchLoopAsync();
                    }
                }
            }
        }

        private sealed class Silo
        {
            public Silo(string address, string name)
            {
                Address = address;
                Name = name;
            }

            public string Address { get; }

            public string Name { get; }

            public CancellationTokenSource Lost { get; } = new();
        }
    }

    /// <summary>The silo running a call left the cluster before the call ended.</summary>
    internal sealed class SiloLostException : Exception
    {
        public SiloLostException(string message) : base(message)
        {
        }
    }
}
