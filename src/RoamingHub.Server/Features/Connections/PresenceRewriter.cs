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
            catch (Exception ex) when (StoreErrors.IsUnavailable(ex))
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
        // A record whose admission is still pending is written by that admission, stamped no earlier than this.
        var now = time.UnixNow();
        var startedAt = Math.Min(now, registry.OldestPending() ?? now);
        var chunks = registry.Snapshot().Chunk(ChunkSize).ToList();
        var pause = chunks.Count > 1 ? spreadOver / chunks.Count : TimeSpan.Zero;
        for (var i = 0; i < chunks.Count; i++)
        {
            // Read again just before writing: a connection that closed since the round began is not written back.
            var held = chunks[i].Where(c => registry.Holds(c.RecordId, c.UserId)).ToList();
            await presence.RewriteConnectionsAsync(node.NodeId, held, time.UnixNow(), cancellationToken).ConfigureAwait(false);

            // One that closed while its chunk was being written may have been written back after its removal.
            foreach (var (userId, recordId) in held.Where(c => !registry.Holds(c.RecordId, c.UserId)))
            {
                await presence.RemoveConnectionAsync(userId, new ConnectionRecord(node.NodeId, recordId), cancellationToken).ConfigureAwait(false);
            }

            if (i < chunks.Count - 1 && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause, time, cancellationToken).ConfigureAwait(false);
            }
        }

        node.CompleteRound(startedAt);
    }
}
