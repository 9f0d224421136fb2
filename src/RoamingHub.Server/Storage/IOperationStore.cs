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
    /// neither while another caller runs it.
    /// </summary>
    ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Stores an operation's outcome for repeats within <paramref name="window"/>.</summary>
    ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Releases a claim whose operation failed without an outcome worth repeating, so a retry runs it again.</summary>
    ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken);
}

/// <summary>How a claim on an idempotent operation went: claimed, already done (with its outcome), or still running elsewhere.</summary>
internal readonly record struct OperationClaim(bool Claimed, byte[]? Outcome);
