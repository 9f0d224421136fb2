using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store's idempotent operations, per user and operation: a claim while a call runs, then its outcome,
/// each expiring after its lease or window as the Redis keys do. A change given an operation key keeps its own outcome
/// here (<see cref="KeepReply"/>) under the same lock as the change, as the Redis scripts keep theirs in the same
/// step (<c>Scripts/lib/operation.lua</c>). The store interface passes no time for these, so they follow the process's
/// monotonic clock. Every member expects its caller to hold <see cref="InMemoryState.Gate"/>.
/// </summary>
internal sealed class OperationTable(RoamingOptions options)
{
    private readonly Dictionary<(string UserId, string Key), Entry> _operations = [];
    private readonly ExpiryQueue<(string UserId, string Key)> _expiry = new(Comparer<(string UserId, string Key)>.Create((a, b) =>
    {
        var user = string.CompareOrdinal(a.UserId, b.UserId);
        return user != 0 ? user : string.CompareOrdinal(a.Key, b.Key);
    }));

    /// <summary>The outcome of the operation, its claim (both null) or nothing.</summary>
    public bool TryGet(string userId, string operationKey, out Entry entry)
    {
        Expire();
        return _operations.TryGetValue((userId, operationKey), out entry);
    }

    /// <summary>Claims the operation for <paramref name="lease"/>.</summary>
    public void Claim(string userId, string operationKey, TimeSpan lease) => Keep(userId, operationKey, new Entry(null, null), lease);

    /// <summary>Stores the call's result for repeats within <paramref name="window"/>.</summary>
    public void Complete(string userId, string operationKey, byte[] outcome, TimeSpan window) => Keep(userId, operationKey, new Entry(outcome, null), window);

    /// <summary>Drops a claim that has no outcome.</summary>
    public void Release(string userId, string operationKey)
    {
        if (TryGet(userId, operationKey, out var entry) && entry is { Outcome: null, Reply: null })
        {
            _operations.Remove((userId, operationKey));
            _expiry.Remove((userId, operationKey));
        }
    }

    /// <summary>
    /// What a change kept as the outcome of <paramref name="operationKey"/>, or null (always for a call without one).
    /// Throws <see cref="OperationCompletedException"/> when the call's whole result is stored already.
    /// </summary>
    public T? StoredReply<T>(string userId, string? operationKey)
        where T : class
    {
        if (operationKey is null || !TryGet(userId, operationKey, out var entry))
        {
            return null;
        }

        return entry.Outcome is not null ? throw new OperationCompletedException() : entry.Reply as T;
    }

    /// <summary>Keeps <paramref name="reply"/> as the outcome of <paramref name="operationKey"/> (none for a call without one) and answers it.</summary>
    public T KeepReply<T>(string userId, string? operationKey, T reply)
        where T : class
    {
        if (operationKey is not null)
        {
            Keep(userId, operationKey, new Entry(null, reply), options.IdempotencyWindow);
        }

        return reply;
    }

    private void Keep(string userId, string operationKey, Entry entry, TimeSpan lifetime)
    {
        var expiresAt = Expire() + (long)lifetime.TotalMilliseconds;
        _operations[(userId, operationKey)] = entry;
        _expiry.Set((userId, operationKey), expiresAt);
    }

    /// <summary>Drops what has expired, O(log n) each, and answers the time it went by.</summary>
    private long Expire()
    {
        var now = Environment.TickCount64;
        while (_expiry.TryTakeDue(now, out var due))
        {
            _operations.Remove(due);
        }

        return now;
    }

    /// <summary>An operation's state: the call's result (<c>R</c>, <c>E</c> or <c>C</c> bytes), the store's own outcome, or neither while claimed.</summary>
    public readonly record struct Entry(byte[]? Outcome, object? Reply);
}
