namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store's idempotent operation claims and outcomes, per user and operation, each expiring after its
/// lease or window as the Redis keys do. The interface passes no time, so they follow the process's monotonic clock.
/// </summary>
internal sealed class InMemoryOperationStore(InMemoryState state) : IOperationStore
{
    private readonly Dictionary<(string UserId, string Key), (byte[]? Outcome, long ExpiresAt)> _operations = [];
    private readonly ExpiryQueue<(string UserId, string Key)> _expiry = new(Comparer<(string UserId, string Key)>.Create((a, b) =>
    {
        var user = string.CompareOrdinal(a.UserId, b.UserId);
        return user != 0 ? user : string.CompareOrdinal(a.Key, b.Key);
    }));

    public ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var now = Expire();
            if (_operations.TryGetValue((userId, operationKey), out var entry))
            {
                return ValueTask.FromResult(entry.Outcome is null ? default : new OperationClaim(Claimed: false, entry.Outcome));
            }

            Keep(userId, operationKey, null, now + (long)lease.TotalMilliseconds);
            return ValueTask.FromResult(new OperationClaim(Claimed: true, Outcome: null));
        }
    }

    public ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            Keep(userId, operationKey, outcome, Expire() + (long)window.TotalMilliseconds);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            if (_operations.TryGetValue((userId, operationKey), out var entry) && entry.Outcome is null)
            {
                _operations.Remove((userId, operationKey));
                _expiry.Remove((userId, operationKey));
            }
        }

        return ValueTask.CompletedTask;
    }

    private void Keep(string userId, string operationKey, byte[]? outcome, long expiresAt)
    {
        _operations[(userId, operationKey)] = (outcome, expiresAt);
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
}
