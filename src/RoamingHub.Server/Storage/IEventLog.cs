using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Each user's stream: every multi-device event, message and read acknowledgement pushed to the user's devices,
/// numbered by a per-user seq without gaps within an epoch, which devices replay with <c>SyncEvents</c>. The
/// scripts and locks that change state append the entries; this reads them.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface IEventLog
{
    /// <summary>The seq of the user's newest entry (0 when there is none) and the stream's epoch.</summary>
    ValueTask<SyncState> GetSyncStateAsync(string userId, long now, CancellationToken cancellationToken);

    /// <summary>
    /// The entries after <paramref name="sinceSeq"/>, messages read back whole, at most <paramref name="limit"/> and
    /// about <see cref="StreamReplay.PageBytes"/>; <c>resyncRequired</c> when the stream no longer holds them or
    /// <paramref name="epoch"/> (when given) is not the stream's.
    /// </summary>
    ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, string? epoch, int limit, long now, CancellationToken cancellationToken);
}

/// <summary>
/// An entry a change appended to a user's stream: its seq, the epoch the seq belongs to, and whether this call
/// appended it (false when a retried send found the entry its first attempt made).
/// </summary>
internal readonly record struct StreamEntryRef(long Seq, string Epoch, bool Appended = true)
{
    /// <summary>The event as logged under this entry.</summary>
    public MultiDeviceEvent Stamp(MultiDeviceEvent template) => template with { Seq = Seq, Epoch = Epoch };
}
