using System.Collections.Concurrent;
using System.Diagnostics;

namespace RoamingHub.Server.Diagnostics;

/// <summary>
/// RoamingHub's spans, on one <see cref="ActivitySource"/> named <c>RoamingHub</c>: a hub call, the use case it sends
/// as its child, and each store script that runs as the use case's child. Without a listener (no OTLP endpoint
/// configured) starting a span is one check and returns null.
/// </summary>
/// <remarks>Span tags follow the same rule as metric labels (<see cref="RoamingMetrics"/>): no ids, tokens or bodies.</remarks>
internal static class RoamingTracing
{
    /// <summary>The source's name, to enable it in a tracer provider.</summary>
    public const string SourceName = "RoamingHub";

    private const string HubName = "DeviceHub";

    private static readonly ActivitySource Source = new(SourceName, typeof(RoamingTracing).Assembly.GetName().Version?.ToString());

    // "DeviceHub/SendMessage": made once per method, not per call (the method names are the hub's, a fixed set).
    private static readonly ConcurrentDictionary<string, string> HubSpanNames = new(StringComparer.Ordinal);

    /// <summary>Whether a tracer listens: spans cost nothing to skip otherwise.</summary>
    public static bool HasListeners => Source.HasListeners();

    /// <summary>
    /// Starts the span of one hub call as the root of its own trace, as SignalR's own hub spans are: the connection's
    /// HTTP request lives as long as the connection, and a trace per call under it would never end.
    /// </summary>
    /// <remarks>
    /// A call that is not sampled gets a span that records nothing (the SDK keeps a root's trace id that way), under
    /// which its use case and store calls make no spans at all. Call it from the async method that runs the call: its
    /// change to <see cref="Activity.Current"/> ends when that method does.
    /// </remarks>
    public static Activity? StartHubCall(string method)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        var activity = Source.StartActivity(HubSpanNames.GetOrAdd(method, static m => $"{HubName}/{m}"), ActivityKind.Server);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "signalr");
            activity.SetTag("rpc.service", HubName);
            activity.SetTag("rpc.method", method);
        }

        return activity;
    }

    /// <summary>Marks a hub call's span with its <paramref name="outcome"/> unless that is <see cref="RoamingMetrics.Ok"/>.</summary>
    public static void SetOutcome(Activity activity, string outcome)
    {
        if (activity.IsAllDataRequested && !string.Equals(outcome, RoamingMetrics.Ok, StringComparison.Ordinal))
        {
            activity.SetTag("error.type", outcome);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }

    /// <summary>Starts the span of one use case (<paramref name="feature"/> is its request's name) inside the current span if that is sampled.</summary>
    public static Activity? StartFeature(string feature) =>
        InTracedSpan() ? Source.StartActivity(feature, ActivityKind.Internal) : null;

    /// <summary>
    /// Starts the span of one store script call as a child of the current span (a hub call, an admin request); none
    /// without one, so the node's own background work (heartbeats, presence rewrites) makes no traces of its own.
    /// </summary>
    public static Activity? StartStoreCall(string script)
    {
        if (!InTracedSpan())
        {
            return null;
        }

        var activity = Source.StartActivity(script, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", "redis");
            activity.SetTag("db.operation.name", "EVALSHA");
            activity.SetTag("roaminghub.script", script);
        }

        return activity;
    }

    /// <summary>
    /// Whether the current span is sampled and ours are listened to: under an unsampled one the parent-based sampler
    /// would drop a child anyway, so it is not asked.
    /// </summary>
    private static bool InTracedSpan() => Activity.Current is { Recorded: true } && Source.HasListeners();
}
