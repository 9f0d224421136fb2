namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store's idempotent operation claims and outcomes (<see cref="OperationTable"/>). Its changes are one
/// step under one lock, so no attempt ever stops halfway: a claim released or left past its lease is simply claimed
/// again.
/// </summary>
internal sealed class InMemoryOperationStore(InMemoryState state) : IOperationStore
{
    /// <summary>An outcome a change kept itself; the call's own steps answer it (see <see cref="IOperationStore"/>).</summary>
    private static readonly byte[] StoredReply = [(byte)'S'];

    public ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            if (state.Operations.TryGet(userId, operationKey, out var entry))
            {
                return ValueTask.FromResult(entry switch
                {
                    { Outcome: { } outcome } => new OperationClaim(Claimed: false, outcome),
                    { Reply: not null } => new OperationClaim(Claimed: false, StoredReply),
                    _ => default,
                });
            }

            state.Operations.Claim(userId, operationKey, lease);
            return ValueTask.FromResult(new OperationClaim(Claimed: true, Outcome: null));
        }
    }

    public ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Operations.Complete(userId, operationKey, outcome, window);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Operations.Release(userId, operationKey);
        }

        return ValueTask.CompletedTask;
    }
}
