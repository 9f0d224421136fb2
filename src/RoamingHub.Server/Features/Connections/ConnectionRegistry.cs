using System.Collections.Concurrent;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// The connections open on this node. The store counts every node's connections per user; this node keeps its own
/// entries alive there (see <see cref="PresenceRefresher"/>), so a node that dies stops counting after the timeout.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, string> _userByConnection = new(StringComparer.Ordinal);

    public void Add(string userId, string connectionId) => _userByConnection[connectionId] = userId;

    public void Remove(string connectionId) => _userByConnection.TryRemove(connectionId, out _);

    public IReadOnlyCollection<(string UserId, string ConnectionId)> Snapshot() =>
        [.. _userByConnection.Select(pair => (pair.Value, pair.Key))];
}

/// <summary>
/// Refreshes this node's connections in the store a few times per presence timeout, in chunks spread over half the
/// interval: one batch for every connection at once queued thousands of commands on the store's connection ahead of
/// the hot path and showed as a latency spike every interval.
/// </summary>
internal sealed class PresenceRefresher(
    ConnectionRegistry registry, IRoamingStore store, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<RoamingOptions> options, ILogger<PresenceRefresher> logger) : BackgroundService
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
                    await store.RefreshConnectionsAsync(chunk, time.GetUtcNow().ToUnixTimeMilliseconds(), stoppingToken).ConfigureAwait(false);
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
