using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Outcomes of idempotent operations by <c>clientOpId</c>, so a repeat on any node has one effect and gets the first
/// answer.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IOperationStore
{
    /// <summary>
    /// Claims an idempotent operation of the user: answers <see cref="OperationClaim.Claimed"/> for the first caller
    /// (who must complete or abandon it within <paramref name="lease"/>), the stored outcome once it completed, or
    /// neither while another caller runs it. A claim abandoned or left past its lease is claimed again as a resumption,
    /// which the store's multi-step changes finish (it is remembered for <paramref name="window"/>). An outcome that
    /// starts with <c>S</c> is one a change kept itself (see <see cref="IConversationStore"/>): the call's own steps,
    /// run again with the operation key, answer it.
    /// </summary>
    ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Stores an operation's outcome for repeats within <paramref name="window"/>.</summary>
    ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Releases a claim whose operation failed without an outcome worth repeating, so a retry runs it again, as a resumption.</summary>
    ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken);
}

/// <summary>How a claim on an idempotent operation went: claimed, already done (with its outcome), or still running elsewhere.</summary>
internal readonly record struct OperationClaim(bool Claimed, byte[]? Outcome);

/// <summary>
/// A store step found its operation's whole outcome already stored (another call of it finished meanwhile), so it
/// changed nothing; the caller reads that outcome instead (<see cref="IOperationStore.BeginOperationAsync"/>).
/// </summary>
internal sealed class OperationCompletedException : Exception
{
    public OperationCompletedException()
        : base("The operation was completed by another call.")
    {
    }
}
