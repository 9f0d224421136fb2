using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RoamingHub.Server.Diagnostics;

/// <summary>
/// Every metric RoamingHub records, on one <see cref="Meter"/> named <c>RoamingHub</c>; docs/operations.md lists them.
/// </summary>
/// <remarks>
/// The instruments are static, so a call site costs a field read and, when nothing listens, an
/// <see cref="Instrument.Enabled"/> check. Tags go in a <see cref="TagList"/> (a struct, no allocation up to eight
/// tags) whose values are constants or names the server already holds: hub methods, error codes, script names. None
/// carries a user, device, connection or conversation id, a token, a body or an extension field: those would make a
/// series per user, and a scrape readable by whoever holds the admin key would leak them.
/// Durations come from <see cref="Stopwatch"/>, not the <see cref="TimeProvider"/>: they measure, they decide nothing.
/// </remarks>
internal static class RoamingMetrics
{
    /// <summary>The meter's name, to enable it in a meter provider.</summary>
    public const string MeterName = "RoamingHub";

    /// <summary>The outcome of a call that succeeded; a failed call's outcome is its error code.</summary>
    public const string Ok = "OK";

    private static readonly Meter Meter = new(MeterName, typeof(RoamingMetrics).Assembly.GetName().Version?.ToString());

    // From half a millisecond (a store call on a quiet loopback) to ten seconds (a store timeout and then some).
    private static readonly InstrumentAdvice<double> Latency = new()
    {
        HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    private static readonly Counter<long> HubCalls = Meter.CreateCounter<long>(
        "roaminghub.hub.calls", "{call}", "Hub method invocations that reached the hub's filters, by method and outcome (OK or the error code).");

    private static readonly Histogram<double> HubCallDuration = Meter.CreateHistogram(
        "roaminghub.hub.call.duration", "s", "How long hub method invocations took on this node, by method and outcome.", tags: null, Latency);

    private static readonly Counter<long> RateLimited = Meter.CreateCounter<long>(
        "roaminghub.hub.rate_limited", "{call}", "Hub calls refused with RATE_LIMITED, by the bucket that was empty (connection or user).");

    private static readonly Counter<long> EntriesAppended = Meter.CreateCounter<long>(
        "roaminghub.stream.entries_appended", "{entry}", "Entries appended to users' streams, counted as their pushes are handed to delivery, by push method.");

    private static readonly Counter<long> PushesQueued = Meter.CreateCounter<long>(
        "roaminghub.pushes.queued", "{push}", "Pushes put in the outbox of a connection on this node.");

    private static readonly Counter<long> PushesSent = Meter.CreateCounter<long>(
        "roaminghub.pushes.sent", "{push}", "Pushes written to a connection on this node.");

    private static readonly Counter<long> PushesDropped = Meter.CreateCounter<long>(
        "roaminghub.pushes.dropped", "{push}", "Pushes for a connection on this node that were not written, by reason (overflow, closed, failed); devices recover them from their streams.");

    private static readonly Counter<long> OverflowCloses = Meter.CreateCounter<long>(
        "roaminghub.connections.overflow_closed", "{connection}", "Connections closed because their outbox overflowed (they reconnect and resume).");

    private static readonly UpDownCounter<long> ConnectionsOpen = Meter.CreateUpDownCounter<long>(
        "roaminghub.connections.open", "{connection}", "Hub connections open on this node.");

    private static readonly Counter<long> Resumes = Meter.CreateCounter<long>(
        "roaminghub.stream.resumes", "{connection}", "Connections brought up to date from their stream as they connected, by result (replayed, resync_required, failed).");

    private static readonly Counter<long> Resyncs = Meter.CreateCounter<long>(
        "roaminghub.stream.resyncs", "{answer}", "SyncEvents answers that told a device to resync (its seq is no longer held, or its epoch is not the stream's).");

    private static readonly Counter<long> IdempotentRepeats = Meter.CreateCounter<long>(
        "roaminghub.idempotent.repeats", "{call}", "Calls with a clientOpId already seen, answered from its kept outcome, by method.");

    private static readonly Histogram<double> StoreCallDuration = Meter.CreateHistogram(
        "roaminghub.store.call.duration", "s", "How long Redis store scripts took, from the call to its reply, by script.", tags: null, Latency);

    private static readonly Histogram<double> PublishDuration = Meter.CreateHistogram(
        "roaminghub.delivery.publish.duration", "s", "How long publishing one change to the other nodes took, until Redis acknowledged it, by outcome.", tags: null, Latency);

    /// <summary>
    /// Adds zero to the counters of rare events under each label value they can take, once the meter provider
    /// listens: a series that exists at zero makes <c>rate()</c> and the dashboard show "none" instead of "no data",
    /// and an alert on it can tell a quiet node from one that exports nothing.
    /// </summary>
    public static void StartAtZero()
    {
        PushesQueued.Add(0);
        PushesSent.Add(0);
        foreach (var reason in (string[])["overflow", "closed", "failed"])
        {
            PushDroppedBy(reason, 0);
        }

        OverflowCloses.Add(0);
        ConnectionsOpen.Add(0);
        RateLimited.Add(0, new KeyValuePair<string, object?>("bucket", "connection"));
        RateLimited.Add(0, new KeyValuePair<string, object?>("bucket", "user"));
        foreach (var result in (string[])["replayed", "resync_required", "failed"])
        {
            Resumes.Add(0, new KeyValuePair<string, object?>("result", result));
        }

        Resyncs.Add(0);
    }

    /// <summary>A start for <see cref="Elapsed"/>, or 0 when <paramref name="histogram"/> has no listener (nothing is timed then).</summary>
    private static long StartOf(Histogram<double> histogram) => histogram.Enabled ? Stopwatch.GetTimestamp() : 0;

    private static double Elapsed(long start) => Stopwatch.GetElapsedTime(start).TotalSeconds;

    /// <summary>Whether anything listens to the hub-call metrics; a call need not be watched otherwise.</summary>
    public static bool HubCallsEnabled => HubCalls.Enabled || HubCallDuration.Enabled;

    /// <summary>A start for <see cref="HubCallEnded"/>; 0 when the duration is not recorded.</summary>
    public static long HubCallStarted() => StartOf(HubCallDuration);

    /// <summary>Counts a hub call of <paramref name="method"/> that ended with <paramref name="outcome"/>, and its duration.</summary>
    public static void HubCallEnded(string method, string outcome, long start)
    {
        var tags = new TagList { { "method", method }, { "outcome", outcome } };
        HubCalls.Add(1, in tags);
        if (start != 0)
        {
            HubCallDuration.Record(Elapsed(start), in tags);
        }
    }

    /// <summary>A call refused because the <paramref name="bucket"/> (<c>connection</c> or <c>user</c>) was empty.</summary>
    public static void CallRateLimited(string bucket) => RateLimited.Add(1, new KeyValuePair<string, object?>("bucket", bucket));

    /// <summary>Whether anything listens to <see cref="StreamEntriesAppended"/>, so the entries need not be counted otherwise.</summary>
    public static bool StreamEntriesEnabled => EntriesAppended.Enabled;

    /// <summary><paramref name="count"/> stream entries appended, pushed as <paramref name="method"/>.</summary>
    public static void StreamEntriesAppended(string method, int count)
    {
        if (count > 0)
        {
            EntriesAppended.Add(count, new KeyValuePair<string, object?>("method", method));
        }
    }

    public static void PushQueued() => PushesQueued.Add(1);

    public static void PushSent() => PushesSent.Add(1);

    /// <summary>A push not written, because its outbox was full (<c>overflow</c>), had stopped (<c>closed</c>), or the write <c>failed</c>.</summary>
    public static void PushDropped(string reason) => PushDroppedBy(reason, 1);

    private static void PushDroppedBy(string reason, int count) => PushesDropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public static void ConnectionClosedForOverflow() => OverflowCloses.Add(1);

    public static void ConnectionOpened() => ConnectionsOpen.Add(1);

    public static void ConnectionClosed() => ConnectionsOpen.Add(-1);

    /// <summary>A connection's resume ended with <paramref name="result"/> (<c>replayed</c>, <c>resync_required</c>, <c>failed</c>).</summary>
    public static void StreamResumed(string result) => Resumes.Add(1, new KeyValuePair<string, object?>("result", result));

    public static void ResyncRequired() => Resyncs.Add(1);

    /// <summary>A repeat of an idempotent <paramref name="method"/> (its command's name) answered from its kept outcome.</summary>
    public static void IdempotentRepeat(string method) => IdempotentRepeats.Add(1, new KeyValuePair<string, object?>("method", method));

    /// <summary>A start for <see cref="StoreCallEnded"/>; 0 when the duration is not recorded.</summary>
    public static long StoreCallStarted() => StartOf(StoreCallDuration);

    public static void StoreCallEnded(string script, long start)
    {
        if (start != 0)
        {
            StoreCallDuration.Record(Elapsed(start), new KeyValuePair<string, object?>("script", script));
        }
    }

    /// <summary>A start for <see cref="PublishEnded"/>; 0 when the duration is not recorded.</summary>
    public static long PublishStarted() => StartOf(PublishDuration);

    /// <summary>A publish to the other nodes ended, <paramref name="outcome"/> <see cref="Ok"/> or <c>UNAVAILABLE</c>.</summary>
    public static void PublishEnded(string outcome, long start)
    {
        if (start != 0)
        {
            PublishDuration.Record(Elapsed(start), new KeyValuePair<string, object?>("outcome", outcome));
        }
    }
}
