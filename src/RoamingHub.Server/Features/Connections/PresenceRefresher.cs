using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Refreshes this node's connections in the store a few times per presence timeout, in chunks spread over half the
/// interval: one batch for every connection at once queued thousands of commands on the store's connection ahead of
/// the hot path and showed as a latency spike every interval.
/// </summary>
internal sealed class PresenceRefresher(
    ConnectionRegistry registry, IPresenceStore presence, TimeProvider time,
    IOptions<RoamingOptions> options, ILogger<PresenceRefresher> logger) : BackgroundService
{
    private const int ChunkSize = 500;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PresenceTimeout / 3;
        using var timer = new PeriodicTimer(interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var chunks = registry.Snapshot().Chunk(ChunkSize).ToList();
            var pause = chunks.Count > 1 ? interval / 2 / chunks.Count : TimeSpan.Zero;
            for (var i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                try
                {
                    await presence.RefreshConnectionsAsync(chunk, time.UnixNow(), stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
                {
                    Log.PresenceRefreshFailed(logger, ex);
                    break;
                }

                if (i < chunks.Count - 1)
                {
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
    }
}
