using System.Collections.Concurrent;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// The connection records this node holds, by record id: what <see cref="PresenceRewriter"/> rewrites each round.
/// A record is added before the store is asked to admit it, so a round never misses one it should keep.
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, string> _userByRecord = new(StringComparer.Ordinal);

    public void Add(string userId, string recordId) => _userByRecord[recordId] = userId;

    public void Remove(string recordId) => _userByRecord.TryRemove(recordId, out _);

    public bool Holds(string recordId) => _userByRecord.ContainsKey(recordId);

    public IReadOnlyCollection<(string UserId, string RecordId)> Snapshot() =>
        [.. _userByRecord.Select(pair => (pair.Value, pair.Key))];
}
