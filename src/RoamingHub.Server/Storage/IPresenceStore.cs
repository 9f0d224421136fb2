using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Which connections each user holds on every node, so <c>MaxConnectionsPerUser</c> holds across nodes and a dead
/// node's connections age out.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IPresenceStore
{
    /// <summary>Counts a new connection against the user's limit; false when the user is at the limit.</summary>
    ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken);

    ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    /// <summary>Marks this node's connections as still alive, so they keep counting against their users' limits.</summary>
    ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken);

    /// <summary>
    /// The user's live connections on every node: those refreshed within <c>PresenceTimeout</c> of
    /// <paramref name="now"/>, so a node that died stops being sent group changes it can never acknowledge.
    /// </summary>
    ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken);
}
