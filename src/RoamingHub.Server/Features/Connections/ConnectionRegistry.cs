using System.Collections.Concurrent;

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
