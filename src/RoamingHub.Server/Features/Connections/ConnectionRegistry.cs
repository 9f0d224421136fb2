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

/// <summary>Refreshes this node's connections in the store a few times per presence timeout.</summary>
internal sealed class PresenceRefresher(
    ConnectionRegistry registry, IRoamingStore store, TimeProvider time,
    Microsoft.Extensions.Options.IOptions<RoamingOptions> options, ILogger<PresenceRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PresenceTimeout / 3, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var connections = registry.Snapshot();
                if (connections.Count > 0)
                {
                    await store.RefreshConnectionsAsync(connections, time.GetUtcNow().ToUnixTimeMilliseconds(), stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                Log.PresenceRefreshFailed(logger, ex);
            }
        }
    }
}
