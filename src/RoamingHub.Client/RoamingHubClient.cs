using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>
/// A typed RoamingHub client over a SignalR <see cref="HubConnection"/>. Every entry of the user's stream — messages
/// (<see cref="MessageReceived"/>), multi-device events (<see cref="EventReceived"/>) and read acknowledgements
/// (<see cref="ReadAckReceived"/>) — is raised exactly once and in <c>seq</c> order: duplicates are dropped, a gap (a
/// lost push, or a dropped connection) is filled from <c>SyncEvents</c> before later entries are raised, and a new
/// epoch on the server (its numbering started again) raises <see cref="ResyncRequired"/>.
/// All callbacks run on one background loop, one at a time, so they may call the hub.
/// <para>
/// By default the client keeps itself connected until it is disposed: <see cref="StartAsync"/> tries again while
/// connecting fails for a passing reason, a dropped connection reconnects with jittered backoff, and each reconnect
/// resumes from <see cref="LastSeq"/> and <see cref="Epoch"/>. A refusal by the server ends the start with a
/// <see cref="RoamingHubException"/> whose <see cref="RoamingHubException.Code"/> says why.
/// </para>
/// </summary>
public sealed partial class RoamingHubClient : IAsyncDisposable
{
    /// <summary>How long a start whose connection went away waits for the event that says why, which such a connection always raises.</summary>
    private static readonly TimeSpan ConnectionEndPatience = TimeSpan.FromSeconds(10);

    private readonly RoamingHubClientOptions _options;
    private readonly EventSequencer _sequencer;
    private readonly IRetryPolicy? _retryPolicy;
    private TaskCompletionSource<ConnectionEnd> _attemptEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _started;

    public RoamingHubClient(RoamingHubClientOptions options)
    {
        if (options.InvocationTimeout <= TimeSpan.Zero && options.InvocationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "InvocationTimeout must be positive, or Timeout.InfiniteTimeSpan.");
        }

        if (options.GapGrace < TimeSpan.Zero || options.GapGrace > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "GapGrace must be 0 to 1 minute.");
        }

        _options = options;
        _sequencer = new EventSequencer(new SequencerHost(this));
        var builder = new HubConnectionBuilder()
            .WithUrl(Endpoint(options), http =>
            {
                http.AccessTokenProvider = options.AccessTokenProvider;
                // The token goes in the query string of the WebSocket request; skipping negotiation means a node
                // behind a load balancer needs no sticky sessions.
                http.Transports = HttpTransportType.WebSockets;
                http.SkipNegotiation = true;
                // Every (re)connect names where this device stands, so the server replays what it missed first.
                http.WebSocketFactory = OpenWebSocketAsync;
            });
        if (options.Protocol == RoamingHubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        _retryPolicy = options switch
        {
            { AutomaticReconnect: false } => null,
            { ReconnectDelays: { } delays } => new ListedDelaysPolicy([.. delays]),
            _ => new JitteredReconnectPolicy(),
        };
        if (_retryPolicy is not null)
        {
            builder.WithAutomaticReconnect(_retryPolicy);
        }

        Connection = builder.Build();
        Connection.ServerTimeout = TimeSpan.FromSeconds(30);
        Connection.On<Message>(HubEvents.OnMessage, _sequencer.EnqueueMessage);
        Connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, _sequencer.EnqueueEvent);
        Connection.On<ReadAck>(HubEvents.OnReadAck, _sequencer.EnqueueReadAck);
        Connection.On<ResyncRequired>(HubEvents.OnResyncRequired, _sequencer.EnqueueResync);
        // What ended the connection while StartAsync waits for its first answer; later ends land in a completed source.
        Connection.Closed += error =>
        {
            Volatile.Read(ref _attemptEnded).TrySetResult(new ConnectionEnd(error, Reconnecting: false));
            return Task.CompletedTask;
        };
        Connection.Reconnecting += error =>
        {
            Volatile.Read(ref _attemptEnded).TrySetResult(new ConnectionEnd(error, Reconnecting: true));
            return Task.CompletedTask;
        };
        Connection.Reconnected += _ =>
        {
            _sequencer.EnqueueCatchUp();
            return Task.CompletedTask;
        };
    }

    /// <summary>The underlying SignalR connection, for its state and lifecycle events.</summary>
    public HubConnection Connection { get; }

    /// <summary>A message sent to this user, or sent by this user from another device.</summary>
    public event Func<Message, Task>? MessageReceived;

    /// <summary>A change made on another device of this user, exactly once and in seq order.</summary>
    public event Func<MultiDeviceEvent, Task>? EventReceived;

    /// <summary>The other participant of a single chat read this user's messages up to a time.</summary>
    public event Func<ReadAck, Task>? ReadAckReceived;

    /// <summary>The server no longer holds the entries this device missed, or its stream started a new epoch: refetch the lists.</summary>
    public event Func<SyncEventsResult, Task>? ResyncRequired;

    /// <summary>A catch-up failed (for example while disconnected); it is retried after the next reconnect.</summary>
    public event Func<Exception, Task>? CatchUpFailed;

    /// <summary>The seq of the newest stream entry this device has applied, its own changes included.</summary>
    public long LastSeq => _sequencer.LastSeq;

    /// <summary>The epoch of the user's stream <see cref="LastSeq"/> belongs to: persist both to resume a later run.</summary>
    public string? Epoch => _sequencer.Epoch;

    /// <summary>Live pushes that arrived again after their seq was applied, and were dropped.</summary>
    public int DuplicatesDropped => _sequencer.DuplicatesDropped;

    /// <summary>Events raised from <c>SyncEvents</c> because their live push was missed.</summary>
    public int EventsRecovered => _sequencer.EventsRecovered;

    /// <summary>
    /// Connects, and learns where this device stands in the user's stream (<c>GetSyncState</c>, or
    /// <see cref="RoamingHubClientOptions.InitialSeq"/>). A failure that may pass — no answer from the server, HTTP 5xx,
    /// the server closing the new connection for a reconnect, or answering <c>UNAVAILABLE</c>, <c>RATE_LIMITED</c> or
    /// <c>INTERNAL</c> — is tried again after the waits of the reconnect policy, until the client is connected or
    /// <paramref name="cancellationToken"/> fires.
    /// With <see cref="RoamingHubClientOptions.AutomaticReconnect"/> off it tries once; with
    /// <see cref="RoamingHubClientOptions.ReconnectDelays"/> it gives up after the last wait, throwing the last failure.
    /// </summary>
    /// <exception cref="RoamingHubException">
    /// The server refused the connection, at once and without another attempt: an HTTP 4xx answer to the WebSocket
    /// upgrade (<c>CONNECTION_LIMIT_EXCEEDED</c> at 409, <c>INVALID_ARGUMENT</c> at 400, <c>UNAUTHENTICATED</c> at
    /// 401, <c>FORBIDDEN</c> at 403), or, rarely, a Close message with a coded error right after the handshake. Also
    /// the last failure when there is no attempt left, if the server answered it: a 5xx (its <c>StatusCode</c> set),
    /// or a close for a reconnect (<c>UNAVAILABLE</c>).
    /// </exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var startedAt = Stopwatch.GetTimestamp();
        for (var attempt = 0L; ; attempt++)
        {
            try
            {
                await StartOnceAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested
                && StartFailures.IsTransient(ex)
                && _retryPolicy?.NextRetryDelay(new RetryContext { PreviousRetryCount = attempt, ElapsedTime = Stopwatch.GetElapsedTime(startedAt), RetryReason = ex }) is { } delay)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>One attempt: connects, then asks where the stream stands; the answer also shows the server admitted the connection.</summary>
    private async Task StartOnceAsync(CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<ConnectionEnd>(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _attemptEnded, ended);
        await Connection.StartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long lastSeq;
            var epoch = _options.InitialEpoch;
            if (_options.InitialSeq is { } initial)
            {
                lastSeq = initial;
                _sequencer.EnqueueCatchUp();
            }
            else
            {
                var state = await GetInitialSyncStateAsync(ended.Task, cancellationToken).ConfigureAwait(false);
                (lastSeq, epoch) = (state.LastSeq, state.Epoch);
            }

            _sequencer.Start(lastSeq, _options.SyncProbeInterval, epoch, _options.GapGrace);
            _started = true;
        }
        catch
        {
            // Leaves nothing half-started (a failed Connection.StartAsync already is): the next attempt, or the
            // caller's, begins from Disconnected, and a connection the server did admit gives its place back.
            await Connection.StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<SyncState> GetInitialSyncStateAsync(Task<ConnectionEnd> ended, CancellationToken cancellationToken)
    {
        var called = Stopwatch.GetTimestamp();
        try
        {
            return await GetSyncStateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HubException answer) when (StartFailures.CodeOf(answer.Message) is not null)
        {
            // The server answered the call: its code says whether to try again.
            throw;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested
            && _options.InvocationTimeout != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(called) >= _options.InvocationTimeout)
        {
            // The call's own deadline (InvocationTimeout): nothing ended the connection, so no event will say why.
            throw;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The connection went away under the call. Its Close message says why: a refusal with a code, or a close
            // for a reconnect. The Closed or Reconnecting event that carries it comes after the call failed: a moment
            // later, or seconds on a starved thread pool, and a refusal read as a plain failure would be retried.
            if (await Task.WhenAny(ended, Task.Delay(ConnectionEndPatience, cancellationToken)).ConfigureAwait(false) == ended)
            {
                var end = await ended.ConfigureAwait(false);
                throw StartFailures.ConnectionEnded(end.Error, end.Reconnecting, ex);
            }

            throw;
        }
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => Connection.StopAsync(cancellationToken);

    public async Task<Message> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<Message>(HubMethods.SendMessage, request, cancellationToken).ConfigureAwait(false), m => m.Seq, m => m.Epoch);

    public Task<Page<Conversation>> FetchConversationsAsync(FetchConversationsRequest? request = null, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Conversation>>(HubMethods.FetchConversations, request ?? new(), cancellationToken);

    public Task<Page<Conversation>> FetchPinnedConversationsAsync(FetchConversationsRequest? request = null, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Conversation>>(HubMethods.FetchPinnedConversations, request ?? new(), cancellationToken);

    public async Task<PinResult> PinConversationAsync(PinConversationRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<PinResult>(HubMethods.PinConversation, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public Task<Page<Message>> FetchHistoryMessagesAsync(FetchHistoryMessagesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Message>>(HubMethods.FetchHistoryMessages, request, cancellationToken);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesBeforeAsync(DeleteRemoteMessagesBeforeRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesBefore, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesWithIdsAsync(DeleteRemoteMessagesWithIdsRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesWithIds, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public async Task<DeleteConversationResult> DeleteRemoteConversationAsync(DeleteRemoteConversationRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteConversationResult>(HubMethods.DeleteRemoteConversation, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public async Task<MarkReadResult> MarkConversationReadAsync(MarkConversationReadRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarkReadResult>(HubMethods.MarkConversationRead, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public async Task<MarkAllReadResult> MarkAllConversationsReadAsync(MarkAllConversationsReadRequest? request = null, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarkAllReadResult>(HubMethods.MarkAllConversationsRead, request ?? new(), cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public Task<UnreadSummary> GetUnreadSummaryAsync(CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<UnreadSummary>(HubMethods.GetUnreadSummary, [], cancellationToken);

    public async Task<UpdateExtResult> UpdateConversationExtAsync(UpdateConversationExtRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<UpdateExtResult>(HubMethods.UpdateConversationExt, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    public Task<SyncState> GetSyncStateAsync(CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<SyncState>(HubMethods.GetSyncState, [], cancellationToken);

    public Task<SyncEventsResult> SyncEventsAsync(SyncEventsRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<SyncEventsResult>(HubMethods.SyncEvents, request, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        // Stopped before the connection goes, so a catch-up in flight ends as a cancellation rather than being
        // reported through CatchUpFailed as a call that failed on the closed connection.
        await _sequencer.StopAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        await _sequencer.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The server never echoes a change to the device that made it: counts the change's seq as applied.</summary>
    private T Own<T>(T result, Func<T, long?> seqOf, Func<T, string?> epochOf)
    {
        if (seqOf(result) is { } seq and > 0)
        {
            _sequencer.EnqueueOwnSeq(seq, epochOf(result));
        }

        return result;
    }

    private Task<T> InvokeAsync<T>(string method, object request, CancellationToken cancellationToken) =>
        InvokeCoreAsync<T>(method, [request], cancellationToken);

    private async Task<T> InvokeCoreAsync<T>(string method, object?[] args, CancellationToken cancellationToken)
    {
        var deadline = InvocationDeadlines.After(_options.InvocationTimeout);
        if (!cancellationToken.CanBeCanceled)
        {
            return await Connection.InvokeCoreAsync<T>(method, args, deadline).ConfigureAwait(false);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline);
        return await Connection.InvokeCoreAsync<T>(method, args, linked.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// Opens the connection's WebSocket with this device's stream position in the URL (<c>sinceSeq</c>,
    /// <c>epoch</c>) once it has one: the server then sends every entry after it, in order, before the live ones.
    /// </summary>
    private async ValueTask<WebSocket> OpenWebSocketAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        // Keeps the status and headers of an upgrade the server refused: they carry its reason.
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            if (await _options.AccessTokenProvider().ConfigureAwait(false) is { Length: > 0 } token)
            {
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            }

            await socket.ConnectAsync(WithPosition(context.Uri), cancellationToken).ConfigureAwait(false);
            return socket;
        }
        catch (WebSocketException ex) when (socket.HttpStatusCode is not 0 and not HttpStatusCode.SwitchingProtocols)
        {
            var code = socket.HttpResponseHeaders?.FirstOrDefault(h => h.Key.Equals(RoamingProtocol.ErrorCodeHeader, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
            var refused = StartFailures.UpgradeRefused((int)socket.HttpStatusCode, code, ex);
            socket.Dispose();
            throw refused;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private Uri WithPosition(Uri uri)
    {
        var (seq, epoch) = _started ? (LastSeq, Epoch) : (_options.InitialSeq, _options.InitialEpoch);
        if (seq is null)
        {
            return uri;
        }

        var query = $"{RoamingProtocol.SinceSeqQueryParameter}={seq.Value.ToString(CultureInfo.InvariantCulture)}"
            + (epoch is null ? "" : $"&{RoamingProtocol.EpochQueryParameter}={Uri.EscapeDataString(epoch)}");
        return new UriBuilder(uri) { Query = uri.Query.Length > 1 ? $"{uri.Query[1..]}&{query}" : query }.Uri;
    }

    private static Uri Endpoint(RoamingHubClientOptions options)
    {
        var builder = new UriBuilder(new Uri(options.ServerUrl, RoamingProtocol.HubPath));
        if (options.DeviceId is { } deviceId)
        {
            builder.Query = $"{RoamingProtocol.DeviceIdQueryParameter}={Uri.EscapeDataString(deviceId)}";
        }

        return builder.Uri;
    }

    /// <summary>How a connection ended: the error SignalR reports, and whether it is reconnecting (the server allowed it).</summary>
    private sealed record ConnectionEnd(Exception? Error, bool Reconnecting);

    /// <summary>Gives the sequencer this client's hub calls and events, read at the moment each one is raised.</summary>
    private sealed class SequencerHost(RoamingHubClient client) : IEventSequencerHost
    {
        public bool IsConnected => client.Connection.State == HubConnectionState.Connected;

        public Task<SyncState> GetSyncStateAsync(CancellationToken cancellationToken) => client.GetSyncStateAsync(cancellationToken);

        public Task<SyncEventsResult> SyncEventsAsync(SyncEventsRequest request, CancellationToken cancellationToken) =>
            client.SyncEventsAsync(request, cancellationToken);

        public Task RaiseMessageAsync(Message message) => Raise(client.MessageReceived, message);

        public Task RaiseEventAsync(MultiDeviceEvent evt) => Raise(client.EventReceived, evt);

        public Task RaiseReadAckAsync(ReadAck ack) => Raise(client.ReadAckReceived, ack);

        public Task RaiseResyncRequiredAsync(SyncEventsResult result) => Raise(client.ResyncRequired, result);

        public Task RaiseCatchUpFailedAsync(Exception error) => Raise(client.CatchUpFailed, error);

        private static Task Raise<T>(Func<T, Task>? handler, T argument) => handler is null ? Task.CompletedTask : handler(argument);
    }
}
