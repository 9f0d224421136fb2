using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Sync;

/// <summary>The caller's newest stream seq and its epoch: where a device that has just loaded its lists starts.</summary>
internal sealed record GetSyncState(Caller Caller) : IQuery<SyncState>;

internal sealed class GetSyncStateHandler(IEventLog events, TimeProvider time) : IQueryHandler<GetSyncState, SyncState>
{
    public async ValueTask<SyncState> Handle(GetSyncState query, CancellationToken cancellationToken) =>
        await events.GetSyncStateAsync(query.Caller.UserId, time.UnixNow(), cancellationToken).ConfigureAwait(false);
}
