namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's idempotent operation claims and outcomes, per user.</summary>
internal sealed class InMemoryOperationStore(InMemoryState state) : IOperationStore
{
    public ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var now = Environment.TickCount64;
            var operations = state.User(userId).Operations;
            if (operations.TryGetValue(operationKey, out var entry) && entry.ExpiresAt > now)
            {
                return ValueTask.FromResult(entry.Outcome is null ? default : new OperationClaim(Claimed: false, entry.Outcome));
            }

            operations[operationKey] = (null, now + (long)lease.TotalMilliseconds);
            return ValueTask.FromResult(new OperationClaim(Claimed: true, Outcome: null));
        }
    }

    public ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var operations = state.User(userId).Operations;
            var now = Environment.TickCount64;
            foreach (var expired in operations.Where(o => o.Value.ExpiresAt <= now).Select(o => o.Key).ToList())
            {
                operations.Remove(expired);
            }

            operations[operationKey] = (outcome, now + (long)window.TotalMilliseconds);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var operations = state.User(userId).Operations;
            if (operations.TryGetValue(operationKey, out var entry) && entry.Outcome is null)
            {
                operations.Remove(operationKey);
            }
        }

        return ValueTask.CompletedTask;
    }
}
