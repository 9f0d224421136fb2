using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Each user's log of multi-device events, numbered by a per-user seq without gaps, which devices replay with
/// <c>SyncEvents</c>.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IEventLog
{
    /// <summary>The sequence number of the user's newest event, 0 when there is none.</summary>
    ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken);

    /// <summary>The events after <paramref name="sinceSeq"/>, or <c>resyncRequired</c> when the log no longer holds them.</summary>
    ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken);
}
