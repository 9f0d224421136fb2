using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Sync;

/// <summary>
/// Replays the caller's events after <c>sinceSeq</c>, in order; answers <c>resyncRequired</c> when the log no longer
/// holds them, never a silent gap.
/// </summary>
internal sealed record SyncEvents(Caller Caller, SyncEventsRequest Request) : IQuery<SyncEventsResult>;

internal sealed class SyncEventsHandler(IEventLog events) : IQueryHandler<SyncEvents, SyncEventsResult>
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 200;

    public ValueTask<SyncEventsResult> Handle(SyncEvents query, CancellationToken cancellationToken)
    {
        var request = query.Request;
        if (request.SinceSeq < 0)
        {
            throw RoamingException.InvalidArgument("sinceSeq must not be negative.");
        }

        var limit = request.Limit ?? DefaultLimit;
        if (limit is < 1 or > MaxLimit)
        {
            throw RoamingException.InvalidArgument($"limit must be between 1 and {MaxLimit}.");
        }

        return events.SyncEventsAsync(query.Caller.UserId, request.SinceSeq, limit, cancellationToken);
    }
}
