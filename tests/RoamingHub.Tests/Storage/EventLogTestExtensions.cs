using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>The stream reads the older tests make, at the fixed times the store tests use.</summary>
internal static class EventLogTestExtensions
{
    /// <summary>A time shortly after every store test's changes, well inside the stream's retention.</summary>
    private const long ReadTime = 1_790_000_000_000 + 60_000;

    public static async Task<long> GetLastSeqAsync(this IEventLog events, string userId, CancellationToken cancellationToken) =>
        (await events.GetSyncStateAsync(userId, ReadTime, cancellationToken)).LastSeq;

    public static ValueTask<RoamingHub.Contracts.SyncEventsResult> SyncEventsAsync(this IEventLog events, string userId, long sinceSeq, int limit, CancellationToken cancellationToken) =>
        events.SyncEventsAsync(userId, sinceSeq, null, limit, ReadTime, cancellationToken);
}
