namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's connections per user, counted against the limit until they go stale.</summary>
internal sealed class InMemoryPresenceStore(InMemoryState state) : IPresenceStore
{
    public ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var connections = state.User(userId).Connections;
            var staleBefore = StaleBefore(now);
            foreach (var stale in connections.Where(c => c.Value < staleBefore).Select(c => c.Key).ToList())
            {
                connections.Remove(stale);
            }

            if (!connections.ContainsKey(connectionId) && connections.Count >= state.Options.MaxConnectionsPerUser)
            {
                return ValueTask.FromResult(false);
            }

            connections[connectionId] = now;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.User(userId).Connections.Remove(connectionId);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            foreach (var (userId, connectionId) in connections)
            {
                var userConnections = state.User(userId).Connections;
                if (userConnections.ContainsKey(connectionId))
                {
                    userConnections[connectionId] = now;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var staleBefore = StaleBefore(now);
            return ValueTask.FromResult<IReadOnlyList<string>>([.. state.User(userId).Connections.Where(c => c.Value >= staleBefore).Select(c => c.Key)]);
        }
    }

    /// <summary>Connections last refreshed before this time (Unix ms) belong to a node that stopped refreshing them.</summary>
    private long StaleBefore(long now) => now - (long)state.Options.PresenceTimeout.TotalMilliseconds;
}
