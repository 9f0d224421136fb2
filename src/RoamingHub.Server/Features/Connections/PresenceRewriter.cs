using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Rewrites this node's connection records from the connections it holds, every <c>PresenceRewriteInterval</c> and
/// whenever a heartbeat finds the store lost or went back on its data (see <c>IPresenceStore</c>): records it holds
/// come back if lost, and once the round is complete, records it does not hold stop counting. A periodic round goes
/// in chunks spread over half the interval, since one batch for every connection at once queued thousands of commands
/// ahead of the hot path; a round asked for goes at once.
/// </summary>
internal sealed class PresenceRewriter(
    ConnectionRegistry registry, NodePresence node, IPresenceStore presence, TimeProvider time,
    IOptions<RoamingOptions> options, ILogger<PresenceRewriter> logger) : BackgroundService
{
    private const int ChunkSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PresenceRewriteInterval;
        var retry = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var asked = await node.WaitForRoundAsync(retry ? options.Value.NodeHeartbeatInterval : interval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                await RunRoundAsync(spreadOver: asked || retry ? TimeSpan.Zero : interval / 2, stoppingToken).ConfigureAwait(false);
                retry = false;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                if (!retry)
                {
                    Log.PresenceRewriteFailed(logger, ex);
                }

                retry = true;
            }
        }
    }

    private async Task RunRoundAsync(TimeSpan spreadOver, CancellationToken cancellationToken)
    {
        var startedAt = time.UnixNow();
        var held = registry.Snapshot();
        var chunks = held.Chunk(ChunkSize).ToList();
        var pause = chunks.Count > 1 ? spreadOver / chunks.Count : TimeSpan.Zero;
        for (var i = 0; i < chunks.Count; i++)
        {
            await presence.RewriteConnectionsAsync(node.NodeId, chunks[i], time.UnixNow(), cancellationToken).ConfigureAwait(false);
            if (i < chunks.Count - 1 && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
        }

        // A connection that closed while the round ran may have been written back after its removal: remove it again.
        foreach (var (userId, recordId) in held.Where(c => !registry.Holds(c.RecordId)))
        {
            await presence.RemoveConnectionAsync(userId, new ConnectionRecord(node.NodeId, recordId), cancellationToken).ConfigureAwait(false);
        }

        node.CompleteRound(startedAt);
    }
}
