using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features.Sync;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// Brings a new connection up to date before it goes live: replays the user's stream after the connection's
/// <see cref="ResumePoint"/> as the pushes it would have received, page by page, each page sent only as fast as the
/// connection takes it, then releases the connection's held outbox, which drops the live pushes the replay already
/// sent. A device that connects with a seq the stream no longer reaches back to, or another epoch, gets one
/// <c>onResyncRequired</c> instead.
/// </summary>
internal sealed class StreamResumer(IMediator mediator, IHubContext<DeviceHub> hub, ILogger<StreamResumer> logger)
{
    private const int PageSize = SyncEventsHandler.MaxLimit;

    /// <summary>
    /// Runs the replay. Awaited while the connection is being admitted, so SignalR runs none of the device's calls
    /// before it: an entry the device makes itself reaches it in the call's result only, never again in the replay.
    /// A replay that fails (the store is away) closes the connection so the device reconnects and resumes again.
    /// </summary>
    public async Task ResumeAsync(Caller caller, ConnectionOutbox outbox, ResumePoint? from, Action close, CancellationToken connectionAborted)
    {
        try
        {
            var (since, epoch) = from is null ? await PositionNowAsync(caller, connectionAborted).ConfigureAwait(false) : (from.SinceSeq, from.Epoch);
            var client = hub.Clients.Client(caller.ConnectionId!);
            while (true)
            {
                var page = await mediator.Send(
                    new SyncEvents(caller, new SyncEventsRequest { SinceSeq = since, Epoch = epoch, Limit = PageSize }), connectionAborted).ConfigureAwait(false);
                if (page.ResyncRequired)
                {
                    await client.SendAsync(HubEvents.OnResyncRequired, new ResyncRequired { LastSeq = page.LastSeq, Epoch = page.Epoch }, connectionAborted)
                        .ConfigureAwait(false);
                    outbox.Release(page.LastSeq, page.Epoch);
                    RoamingMetrics.StreamResumed("resync_required");
                    return;
                }

                foreach (var entry in page.Events.Where(e => e.Seq > since))
                {
                    if (StreamEntries.Payload(entry) is { } payload)
                    {
                        await client.SendAsync(StreamEntries.MethodOf(payload), payload, connectionAborted).ConfigureAwait(false);
                    }

                    since = entry.Seq;
                }

                // A stream that continued this device's numbering under a new epoch names it: later pages ask with it.
                epoch = page.Epoch ?? epoch;
                if (!page.HasMore)
                {
                    outbox.Release(since, epoch);
                    RoamingMetrics.StreamResumed("replayed");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (connectionAborted.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            Log.ResumeFailed(logger, caller.UserId, ex);
            RoamingMetrics.StreamResumed("failed");
            close();
        }
    }

    /// <summary>Without a captured resume point (a transport other than WebSockets): from the stream's position now.</summary>
    private async Task<(long Since, string? Epoch)> PositionNowAsync(Caller caller, CancellationToken cancellationToken)
    {
        var state = await mediator.Send(new GetSyncState(caller), cancellationToken).ConfigureAwait(false);
        return (state.LastSeq, state.Epoch);
    }
}
