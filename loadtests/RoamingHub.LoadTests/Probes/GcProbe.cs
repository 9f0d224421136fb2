using System.Diagnostics.Tracing;
using System.Net.Http.Json;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace RoamingHub.LoadTests.Probes;

/// <summary>A stop of a process's threads for a garbage collection: when it began (UTC) and how long it lasted.</summary>
internal readonly record struct GcPause(DateTime StartUtc, double Milliseconds);

/// <summary>
/// Collects every GC pause of one process from the moment it is created, from the runtime's own events: no profiler
/// to install. The run sorts the pauses into its phases at the end (<see cref="GcFigures.Of"/>), so a tail the
/// generator's own collections caused shows up as the generator's.
/// </summary>
internal abstract class GcSource
{
    /// <summary>Stops collecting; every pause seen, or null when the process could not be watched (<see cref="Failure"/> says why).</summary>
    public abstract Task<IReadOnlyList<GcPause>?> StopAsync();

    public string? Failure { get; protected set; }

    /// <summary>The same pauses as the runtime counts them itself, where it can be asked, to check the events against.</summary>
    public string? CrossCheck { get; protected set; }

    /// <summary>The load generator itself, through an in-process listener on the runtime's GC events.</summary>
    public static GcSource ThisProcess() => new RuntimeListener();

    /// <summary>A .NET process on this machine (a RoamingHub node), through an EventPipe session on its diagnostics port.</summary>
    public static GcSource DotNetProcess(int pid) => EventPipeSource.Start(pid);

    /// <summary>A Socket.IO peer node, which lists its pauses (V8's, from <c>perf_hooks</c>) at <c>GET /gc</c>.</summary>
    public static GcSource PeerNode(Uri node) => new PeerSource(node);

    /// <summary>
    /// Pairs the runtime's suspensions for a GC (reason 1, for a GC, or 6, preparing one) with the restart that ends
    /// them: the time every managed thread stood still, which is what a tail latency sees. Suspensions for other
    /// reasons (tiered compilation, a debugger) are left out.
    /// </summary>
    private sealed class PausePairs
    {
        private readonly List<GcPause> _pauses = [];
        private DateTime? _suspendedAt;

        public void Suspended(DateTime atUtc, uint reason)
        {
            if (reason is 1 or 6)
            {
                _suspendedAt = atUtc;
            }
        }

        public void Restarted(DateTime atUtc)
        {
            if (_suspendedAt is { } start)
            {
                _pauses.Add(new GcPause(start, (atUtc - start).TotalMilliseconds));
                _suspendedAt = null;
            }
        }

        public IReadOnlyList<GcPause> Snapshot() => [.. _pauses];
    }

    private sealed class RuntimeListener : GcSource
    {
        private readonly Listener _listener = new();
        private readonly TimeSpan _pausedBefore = GC.GetTotalPauseDuration();
        private readonly int _collectionsBefore = GC.CollectionCount(0);

        public override async Task<IReadOnlyList<GcPause>?> StopAsync()
        {
            // The runtime hands its events to listeners from a dispatch thread; give the last ones time to arrive.
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            IReadOnlyList<GcPause> pauses;
            lock (_listener.Pairs)
            {
                pauses = _listener.Pairs.Snapshot();
            }

            _listener.Dispose();
            CrossCheck = $"load generator: {pauses.Count} pauses, {pauses.Sum(p => p.Milliseconds):F0} ms from the GC events; "
                + $"{GC.CollectionCount(0) - _collectionsBefore} collections, {(GC.GetTotalPauseDuration() - _pausedBefore).TotalMilliseconds:F0} ms paused by the runtime's own count";
            return pauses;
        }

        private sealed class Listener : EventListener
        {
            private const int RestartEEEnd = 3;
            private const int SuspendEEBegin = 9;

            // Initialised before the base constructor, which already calls OnEventSourceCreated for existing sources.
            public readonly PausePairs Pairs = new();

            protected override void OnEventSourceCreated(EventSource eventSource)
            {
                if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
                {
                    EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)(long)ClrTraceEventParser.Keywords.GC);
                }
            }

            protected override void OnEventWritten(EventWrittenEventArgs eventData)
            {
                lock (Pairs)
                {
                    if (eventData.EventId == SuspendEEBegin && eventData.Payload is [var reason, ..])
                    {
                        Pairs.Suspended(eventData.TimeStamp.ToUniversalTime(), Convert.ToUInt32(reason, System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else if (eventData.EventId == RestartEEEnd)
                    {
                        Pairs.Restarted(eventData.TimeStamp.ToUniversalTime());
                    }
                }
            }
        }
    }

    private sealed class EventPipeSource : GcSource
    {
        private readonly PausePairs _pairs = new();
        private EventPipeSession? _session;
        private Task? _processing;

        public static EventPipeSource Start(int pid)
        {
            var source = new EventPipeSource();
            try
            {
                var providers = new[] { new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, (long)ClrTraceEventParser.Keywords.GC) };
                // No rundown: it would make the node list every loaded method at the end, work that is no GC's.
                source._session = new DiagnosticsClient(pid).StartEventPipeSession(providers, requestRundown: false, circularBufferMB: 64);
                var events = new EventPipeEventSource(source._session.EventStream);
                events.Clr.GCSuspendEEStart += e => source._pairs.Suspended(e.TimeStamp.ToUniversalTime(), (uint)e.Reason);
                events.Clr.GCRestartEEStop += e => source._pairs.Restarted(e.TimeStamp.ToUniversalTime());
                source._processing = Task.Factory.StartNew(() => events.Process(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or UnsupportedCommandException or IOException or TimeoutException or UnauthorizedAccessException or ArgumentException)
            {
                source.Failure = $"pid {pid}: no EventPipe session ({ex.Message})";
            }

            return source;
        }

        public override async Task<IReadOnlyList<GcPause>?> StopAsync()
        {
            if (_session is null || _processing is null)
            {
                return null;
            }

            try
            {
                await _session.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await _processing.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ServerNotAvailableException or IOException or TimeoutException or EndOfStreamException)
            {
                // A node that is gone or slow to end the session: keep the pauses read so far.
                Failure = $"the session ended badly ({ex.Message}); pauses up to then are kept";
            }
            finally
            {
                _session.Dispose();
            }

            return _pairs.Snapshot();
        }
    }

    private sealed class PeerSource(Uri node) : GcSource
    {
        public override async Task<IReadOnlyList<GcPause>?> StopAsync()
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var report = await http.GetFromJsonAsync<PeerGcReport>(new Uri(node, "/gc")).ConfigureAwait(false);
                return [.. (report?.Pauses ?? []).Select(p => new GcPause(DateTime.UnixEpoch.AddMilliseconds(p[0]), p[1]))];
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                Failure = $"{node}: GET /gc failed ({ex.Message})";
                return null;
            }
        }

        private sealed record PeerGcReport(int Pid, double[][] Pauses);
    }
}

/// <summary>The GC pauses of one process within a phase: how many, their total and the longest, in milliseconds.</summary>
internal sealed record GcFigures(int Pauses, double TotalMs, double LongestMs)
{
    /// <summary>The pauses that began between <paramref name="fromUtc"/> and <paramref name="toUtc"/>; null when the process was not watched.</summary>
    public static GcFigures? Of(IReadOnlyList<GcPause>? pauses, DateTime fromUtc, DateTime toUtc)
    {
        if (pauses is null)
        {
            return null;
        }

        var inPhase = pauses.Where(p => p.StartUtc >= fromUtc && p.StartUtc < toUtc).ToList();
        return new GcFigures(
            inPhase.Count,
            Math.Round(inPhase.Sum(p => p.Milliseconds), 2),
            Math.Round(inPhase.Count == 0 ? 0 : inPhase.Max(p => p.Milliseconds), 2));
    }
}

/// <summary>GC pauses of each process over one phase; a null entry is a process that could not be watched.</summary>
internal sealed record PhaseGc(GcFigures? LoadGenerator, IReadOnlyList<GcFigures?> Servers);
