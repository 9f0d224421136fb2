using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Tells the store every <c>NodeHeartbeatInterval</c> that this node is alive, and learns which nodes are, so a node
/// that stops (SIGKILL, a lost host) stops holding its users' places after <c>NodeTimeout</c>. A heartbeat that finds
/// the store no longer held the previous one asks for a round of rewriting at once.
/// </summary>
internal sealed class NodeHeartbeat(
    NodePresence node, IPresenceStore presence, TimeProvider time, IOptions<RoamingOptions> options, ILogger<NodeHeartbeat> logger)
    : BackgroundService
{
    /// <summary>Between warnings about this node's clock, so a skewed clock does not flood the log.</summary>
    private static readonly TimeSpan SkewWarningInterval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long previous = 0;
        var failing = false;
        var lastSkewWarning = long.MinValue;
        var tolerableSkew = (long)(options.Value.NodeTimeout / 5).TotalMilliseconds;
        using var timer = new PeriodicTimer(options.Value.NodeHeartbeatInterval, time);
        do
        {
            var now = time.UnixNow();
            try
            {
                var heartbeat = await presence.HeartbeatAsync(node.NodeId, node.RewrittenSince, previous, now, stoppingToken).ConfigureAwait(false);
                node.UpdateLiveNodes(heartbeat.LiveNodes);
                if (!heartbeat.StoreIntact && previous != 0)
                {
                    Log.StoreLostPresence(logger);
                    node.RequestRound();
                }

                // Nodes judge each other's heartbeats and records by their own clocks (docs/reliability.md, "Presence").
                if (heartbeat.StoreClock is { } storeClock && Math.Abs(storeClock - now) > tolerableSkew && now - lastSkewWarning > SkewWarningInterval.TotalMilliseconds)
                {
                    Log.ClockSkewed(logger, now - storeClock);
                    lastSkewWarning = now;
                }

                previous = now;
                failing = false;
            }
            catch (Exception ex) when (StoreErrors.IsUnavailable(ex))
            {
                if (!failing)
                {
                    Log.HeartbeatFailed(logger, ex);
                }

                failing = true;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}
