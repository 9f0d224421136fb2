using System.Collections.Concurrent;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// The connection records this node holds, by record id: what <see cref="PresenceRewriter"/> rewrites each round.
/// A record is held as pending from just before the store is asked to admit it until the store has: a round writes
/// no pending record (the store has not counted it yet), and a round that began after a pending admission counts as
/// begun when that admission did, so the record it is about to write still counts (see <see cref="OldestPending"/>).
/// </summary>
internal sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, Entry> _records = new(StringComparer.Ordinal);

    /// <summary>Holds a record whose admission, stamped <paramref name="admittedAt"/>, is about to be asked for.</summary>
    public void AddPending(string userId, string recordId, long admittedAt) => _records[recordId] = new Entry(userId, admittedAt);

    /// <summary>The store admitted the record.</summary>
    public void Confirm(string recordId)
    {
        if (_records.TryGetValue(recordId, out var entry))
        {
            _records.TryUpdate(recordId, entry with { PendingSince = null }, entry);
        }
    }

    public void Remove(string recordId) => _records.TryRemove(recordId, out _);

    /// <summary>Whether this node holds the admitted record <paramref name="recordId"/> of <paramref name="userId"/>.</summary>
    public bool Holds(string recordId, string userId) =>
        _records.TryGetValue(recordId, out var entry) && entry.PendingSince is null && string.Equals(entry.UserId, userId, StringComparison.Ordinal);

    /// <summary>The admitted records.</summary>
    public IReadOnlyCollection<(string UserId, string RecordId)> Snapshot() =>
        [.. _records.Where(pair => pair.Value.PendingSince is null).Select(pair => (pair.Value.UserId, pair.Key))];

    /// <summary>When the oldest admission still pending was stamped, or null.</summary>
    public long? OldestPending() => _records.Values.Min(entry => entry.PendingSince);

    private sealed record Entry(string UserId, long? PendingSince);
}
