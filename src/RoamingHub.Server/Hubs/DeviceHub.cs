using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features.Connections;
using RoamingHub.Server.Features.Conversations;
using RoamingHub.Server.Features.History;
using RoamingHub.Server.Features.Messages;
using RoamingHub.Server.Features.Sync;
using RoamingHub.Server.Features.Unread;
using RoamingHub.Server.Hubs.Delivery;
using Microsoft.IdentityModel.JsonWebTokens;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// The SignalR hub at <c>/hubs/roaming</c>: a thin adapter that turns invocations into mediator requests. Errors are
/// mapped to the wire by <see cref="HubErrorFilter"/>.
/// </summary>
[Authorize]
internal sealed class DeviceHub(
    IMediator mediator, LocalConnections local, StreamResumer resumer, ConnectionRegistry registry, ILogger<DeviceHub> logger) : Hub
{
    private const string CallerItem = "roaminghub.caller";
    private const string OwnRecordItem = "roaminghub.record";

    /// <summary>How long a connection waits for a store that does not answer before it is closed so that the device comes back.</summary>
    private static readonly TimeSpan AdmissionPatience = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan AdmissionRetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The caller the connection was admitted as. A call on a connection that is being closed unadmitted (the store did
    /// not answer) may still be dispatched: it fails with <c>UNAVAILABLE</c>, as the device should retry it.
    /// </summary>
    private Caller Caller => CallerOf(Context)
        ?? throw new RoamingException(ErrorCodes.Unavailable, "This connection could not be admitted while the store was unreachable; it is closing so the device reconnects.");

    /// <summary>The caller a connection was admitted as (canonical ids), or null before it was admitted.</summary>
    public static Caller? CallerOf(HubCallerContext context) =>
        context.Items.TryGetValue(CallerItem, out var caller) ? caller as Caller : null;

    /// <summary>Records the caller a connection was admitted as; <see cref="CallerOf"/> reads it back.</summary>
    internal static void Admit(HubCallerContext context, Caller caller) => context.Items[CallerItem] = caller;

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        var userId = Ids.Canonicalize(Context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value, "token subject");
        var deviceId = (http is null ? null : ConnectionAdmission.DeviceIdOf(http.Request)) ?? Context.ConnectionId;
        var caller = new Caller(userId, deviceId, Context.ConnectionId);
        var resumeFrom = ResumePoint.Of(http);
        var close = CloseForReconnect(Context);

        // A WebSocket was admitted before its handshake (ConnectionAdmission), which releases it too; anything else,
        // or a WebSocket whose admission found the store away, is admitted here and released by OnDisconnectedAsync.
        if (ConnectionAdmission.AdmittedRecordOf(http) is not { } admitted || !registry.Holds(admitted, userId))
        {
            if (!await AdmitHereAsync(userId).ConfigureAwait(false))
            {
                close();
                return;
            }

            Context.Items[OwnRecordItem] = Context.ConnectionId;
        }

        // From here on, pushes for this connection queue in its outbox, held until the replay of what came before.
        var outbox = local.Add(userId, Context.ConnectionId, close, held: true);
        Admit(Context, caller);
        await resumer.ResumeAsync(caller, outbox, resumeFrom, close, Context.ConnectionAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Admits the connection after its handshake. A store that does not answer is not a refusal: the admission is
    /// tried again for <see cref="AdmissionPatience"/> (SignalR runs none of the device's calls meanwhile), then the
    /// device is told to come back (false: the caller closes with allowReconnect). Waiting also keeps the close well
    /// after the handshake: @microsoft/signalr sends a ping right after it, and a close in between fails its start().
    /// </summary>
    private async Task<bool> AdmitHereAsync(string userId)
    {
        var patience = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await mediator.Send(new ConnectDevice(userId, Context.ConnectionId), Context.ConnectionAborted).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                if (patience.Elapsed >= AdmissionPatience)
                {
                    Log.ConnectDeferred(logger, userId, ex);
                    return false;
                }
            }

            try
            {
                await Task.Delay(AdmissionRetryDelay, Context.ConnectionAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Closes a connection so that clients reconnect: SignalR's graceful close request sends a Close message with
    /// <c>allowReconnect: true</c>, whereas <see cref="HubCallerContext.Abort"/> sends one without it, on which the
    /// official clients stop for good.
    /// </summary>
    private static Action CloseForReconnect(HubCallerContext context) =>
        context.Features.Get<IConnectionLifetimeNotificationFeature>() is { } lifetime
            ? lifetime.RequestClose
            : context.Abort;

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        if (Context.Items.ContainsKey(CallerItem))
        {
            local.Remove(Context.ConnectionId);
        }

        // Only a connection the hub admitted itself holds a record the hub must release.
        if (Context.Items.TryGetValue(OwnRecordItem, out var record) && record is string recordId)
        {
            await mediator.Send(new DisconnectDevice(Caller.UserId, recordId), CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async Task<Message> SendMessage(SendMessageRequest? request) =>
        await mediator.Send(new SendMessage(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<Page<Conversation>> FetchConversations(FetchConversationsRequest? request = null) =>
        await mediator.Send(new FetchConversations(Caller, request ?? new()), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<Page<Conversation>> FetchPinnedConversations(FetchConversationsRequest? request = null) =>
        await mediator.Send(new FetchPinnedConversations(Caller, request ?? new()), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<PinResult> PinConversation(PinConversationRequest? request) =>
        await mediator.Send(new PinConversation(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<SyncState> GetSyncState() =>
        await mediator.Send(new GetSyncState(Caller), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<SyncEventsResult> SyncEvents(SyncEventsRequest? request) =>
        await mediator.Send(new SyncEvents(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MessagePage> FetchHistoryMessages(FetchHistoryMessagesRequest? request) =>
        await mediator.Send(new FetchHistoryMessages(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesBefore(DeleteRemoteMessagesBeforeRequest? request) =>
        await mediator.Send(new DeleteRemoteMessagesBefore(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesWithIds(DeleteRemoteMessagesWithIdsRequest? request) =>
        await mediator.Send(new DeleteRemoteMessagesWithIds(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<DeleteConversationResult> DeleteRemoteConversation(DeleteRemoteConversationRequest? request) =>
        await mediator.Send(new DeleteRemoteConversation(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MarkReadResult> MarkConversationRead(MarkConversationReadRequest? request) =>
        await mediator.Send(new MarkConversationRead(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MarkAllReadResult> MarkAllConversationsRead(MarkAllConversationsReadRequest? request = null) =>
        await mediator.Send(new MarkAllConversationsRead(Caller, request ?? new()), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<UnreadSummary> GetUnreadSummary() =>
        await mediator.Send(new GetUnreadSummary(Caller), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<UpdateExtResult> UpdateConversationExt(UpdateConversationExtRequest? request) =>
        await mediator.Send(new UpdateConversationExt(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<Conversation> GetConversation(GetConversationRequest? request) =>
        await mediator.Send(new GetConversation(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MuteResult> SetConversationMuted(SetConversationMutedRequest? request) =>
        await mediator.Send(new SetConversationMuted(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MarkUnreadResult> MarkConversationUnread(MarkConversationUnreadRequest? request) =>
        await mediator.Send(new MarkConversationUnread(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<MarksResult> SetConversationMarks(SetConversationMarksRequest? request) =>
        await mediator.Send(new SetConversationMarks(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);
    public async Task<DeleteConversationsResult> DeleteRemoteConversations(DeleteRemoteConversationsRequest? request) =>
        await mediator.Send(new DeleteRemoteConversations(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    public async Task<RecallMessageResult> RecallMessage(RecallMessageRequest? request) =>
        await mediator.Send(new RecallMessage(Caller, Required(request)), Context.ConnectionAborted).ConfigureAwait(false);

    private static T Required<T>(T? request) where T : class =>
        request ?? throw RoamingException.InvalidArgument("The method's argument object is required.");
}
