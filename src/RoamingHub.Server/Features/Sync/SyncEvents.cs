using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Sync;

/// <summary>
/// Replays the caller's stream after <c>sinceSeq</c>, in order: events, messages (whole, as the caller sees them) and
/// read acknowledgements, paged by count and by bytes; answers <c>resyncRequired</c> when the stream no longer holds
/// them or the device's epoch is not the stream's, never a silent gap.
/// </summary>
internal sealed record SyncEvents(Caller Caller, SyncEventsRequest Request) : IQuery<SyncEventsResult>;

internal sealed class SyncEventsHandler(IEventLog events, TimeProvider time) : IQueryHandler<SyncEvents, SyncEventsResult>
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

        var answer = events.SyncEventsAsync(query.Caller.UserId, request.SinceSeq, request.Epoch, limit, time.UnixNow(), cancellationToken);
        if (!answer.IsCompletedSuccessfully)
        {
            return CountResyncAsync(answer);
        }

        // Read once and answered anew: a ValueTask may be consumed only once.
        var result = answer.Result;
        CountResync(result);
        return new ValueTask<SyncEventsResult>(result);
    }

    private static async ValueTask<SyncEventsResult> CountResyncAsync(ValueTask<SyncEventsResult> answer)
    {
        var result = await answer.ConfigureAwait(false);
        CountResync(result);
        return result;
    }

    // Counted here, where every resync answer is made: a device's own SyncEvents and the replay as it connects.
    private static void CountResync(SyncEventsResult result)
    {
        if (result.ResyncRequired)
        {
            RoamingMetrics.ResyncRequired();
        }
    }
}
