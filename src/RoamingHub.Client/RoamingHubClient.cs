using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>
/// A typed RoamingHub client over a SignalR <see cref="HubConnection"/>. Multi-device events reach
/// <see cref="EventReceived"/> exactly once and in <c>seq</c> order: duplicates are dropped, and a gap (a lost push,
/// or a dropped connection) is filled from <c>SyncEvents</c> before later events are raised.
/// All callbacks run on one background loop, one at a time, so they may call the hub.
/// </summary>
public sealed class RoamingHubClient : IAsyncDisposable
{
    private readonly RoamingHubClientOptions _options;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SortedDictionary<long, MultiDeviceEvent> _pending = [];
    private readonly SortedSet<long> _ownSeqs = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private Task? _probe;
    private long _lastSeq;

    public RoamingHubClient(RoamingHubClientOptions options)
    {
        if (options.InvocationTimeout <= TimeSpan.Zero && options.InvocationTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "InvocationTimeout must be positive, or Timeout.InfiniteTimeSpan.");
        }

        _options = options;
        var builder = new HubConnectionBuilder()
            .WithUrl(Endpoint(options), http =>
            {
                http.AccessTokenProvider = options.AccessTokenProvider;
                // The token goes in the query string of the WebSocket request; skipping negotiation means a node
                // behind a load balancer needs no sticky sessions.
                http.Transports = HttpTransportType.WebSockets;
                http.SkipNegotiation = true;
            });
        if (options.Protocol == RoamingHubProtocol.MessagePack)
        {
            builder.AddMessagePackProtocol();
        }

        if (options is { AutomaticReconnect: true, ReconnectDelays: { } delays })
        {
            builder.WithAutomaticReconnect([.. delays]);
        }
        else if (options.AutomaticReconnect)
        {
            builder.WithAutomaticReconnect();
        }

        Connection = builder.Build();
        Connection.ServerTimeout = TimeSpan.FromSeconds(30);
        Connection.On<Message>(HubEvents.OnMessage, message => Enqueue(new LiveMessage(message)));
        Connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, e => Enqueue(new LiveEvent(e)));
        Connection.On<ReadAck>(HubEvents.OnReadAck, ack => Enqueue(new LiveReadAck(ack)));
        Connection.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
        Connection.Reconnected += _ =>
        {
            Enqueue(CatchUp.Instance);
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

    /// <summary>The server no longer holds the events this device missed: refetch the lists.</summary>
    public event Func<SyncEventsResult, Task>? ResyncRequired;

    /// <summary>A catch-up failed (for example while disconnected); it is retried after the next reconnect.</summary>
    public event Func<Exception, Task>? CatchUpFailed;

    /// <summary>The seq of the newest event this device has applied, its own changes included.</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>Live pushes that arrived again after their seq was applied, and were dropped.</summary>
    public int DuplicatesDropped { get; private set; }

    /// <summary>Events raised from <c>SyncEvents</c> because their live push was missed.</summary>
    public int EventsRecovered { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await Connection.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_options.InitialSeq is { } initial)
        {
            _lastSeq = initial;
            Enqueue(CatchUp.Instance);
        }
        else
        {
            try
            {
                _lastSeq = (await GetSyncStateAsync(cancellationToken).ConfigureAwait(false)).LastSeq;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // A server that refuses the connection (CONNECTION_LIMIT_EXCEEDED, …) closes it right after the
                // handshake: report its reason rather than the failed call that noticed.
                await Task.WhenAny(_closed.Task, Task.Delay(TimeSpan.FromSeconds(2), cancellationToken)).ConfigureAwait(false);
                if (_closed.Task.IsCompleted && await _closed.Task.ConfigureAwait(false) is { } reason)
                {
                    throw reason;
                }

                throw;
            }
        }

        _loop = Task.Run(ProcessAsync, CancellationToken.None);
        if (_options.SyncProbeInterval is { } interval)
        {
            _probe = Task.Run(() => ProbeAsync(interval), CancellationToken.None);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => Connection.StopAsync(cancellationToken);

    public Task<Message> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<Message>(HubMethods.SendMessage, request, cancellationToken);

    public Task<Page<Conversation>> FetchConversationsAsync(FetchConversationsRequest? request = null, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Conversation>>(HubMethods.FetchConversations, request ?? new(), cancellationToken);

    public Task<Page<Conversation>> FetchPinnedConversationsAsync(FetchConversationsRequest? request = null, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Conversation>>(HubMethods.FetchPinnedConversations, request ?? new(), cancellationToken);

    public async Task<PinResult> PinConversationAsync(PinConversationRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<PinResult>(HubMethods.PinConversation, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public Task<Page<Message>> FetchHistoryMessagesAsync(FetchHistoryMessagesRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<Page<Message>>(HubMethods.FetchHistoryMessages, request, cancellationToken);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesBeforeAsync(DeleteRemoteMessagesBeforeRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesBefore, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public async Task<DeleteRoamingResult> DeleteRemoteMessagesWithIdsAsync(DeleteRemoteMessagesWithIdsRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesWithIds, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public async Task<DeleteConversationResult> DeleteRemoteConversationAsync(DeleteRemoteConversationRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<DeleteConversationResult>(HubMethods.DeleteRemoteConversation, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public async Task<MarkReadResult> MarkConversationReadAsync(MarkConversationReadRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarkReadResult>(HubMethods.MarkConversationRead, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public async Task<MarkAllReadResult> MarkAllConversationsReadAsync(MarkAllConversationsReadRequest? request = null, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarkAllReadResult>(HubMethods.MarkAllConversationsRead, request ?? new(), cancellationToken).ConfigureAwait(false), r => r.Seq);

    public Task<UnreadSummary> GetUnreadSummaryAsync(CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<UnreadSummary>(HubMethods.GetUnreadSummary, [], cancellationToken);

    public async Task<UpdateExtResult> UpdateConversationExtAsync(UpdateConversationExtRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<UpdateExtResult>(HubMethods.UpdateConversationExt, request, cancellationToken).ConfigureAwait(false), r => r.Seq);

    public Task<SyncState> GetSyncStateAsync(CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<SyncState>(HubMethods.GetSyncState, [], cancellationToken);

    public Task<SyncEventsResult> SyncEventsAsync(SyncEventsRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<SyncEventsResult>(HubMethods.SyncEvents, request, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        if (_probe is not null)
        {
            await _probe.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>The server never echoes a change to the device that made it: counts the change's seq as applied.</summary>
    private T Own<T>(T result, Func<T, long?> seqOf)
    {
        if (seqOf(result) is { } seq and > 0)
        {
            Enqueue(new OwnSeq(seq));
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

    private void Enqueue(Work work) => _work.Writer.TryWrite(work);

    private async Task ProcessAsync()
    {
        var catchUpNeeded = false;
        try
        {
            await foreach (var work in _work.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                switch (work)
                {
                    case LiveMessage live:
                        if (MessageReceived is { } onMessage)
                        {
                            await onMessage(live.Message).ConfigureAwait(false);
                        }

                        continue;
                    case LiveReadAck live:
                        if (ReadAckReceived is { } onReadAck)
                        {
                            await onReadAck(live.Ack).ConfigureAwait(false);
                        }

                        continue;
                    case LiveEvent live when live.Event.Seq <= _lastSeq:
                        DuplicatesDropped++;
                        continue;
                    case LiveEvent live:
                        _pending[live.Event.Seq] = live.Event;
                        break;
                    case OwnSeq own when own.Seq > _lastSeq:
                        _ownSeqs.Add(own.Seq);
                        break;
                    case CatchUp:
                        catchUpNeeded = true;
                        break;
                }

                await RaiseContiguousAsync().ConfigureAwait(false);
                if (catchUpNeeded || _pending.Count > 0 || _ownSeqs.Count > 0)
                {
                    catchUpNeeded = !await TryCatchUpAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Now and then asks for the server's newest seq; the processing loop catches up when this device is behind.</summary>
    private async Task ProbeAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                if (Connection.State != HubConnectionState.Connected)
                {
                    continue;
                }

                try
                {
                    if ((await GetSyncStateAsync(_stopping.Token).ConfigureAwait(false)).LastSeq > LastSeq)
                    {
                        Enqueue(CatchUp.Instance);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The connection is going away; the reconnect path catches up instead.
                }
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Raises buffered events, and skips this device's own, while they follow on without a gap.</summary>
    private async Task RaiseContiguousAsync()
    {
        while (true)
        {
            var next = _lastSeq + 1;
            if (_ownSeqs.Remove(next))
            {
                Interlocked.Exchange(ref _lastSeq, next);
            }
            else if (_pending.Remove(next, out var evt))
            {
                Interlocked.Exchange(ref _lastSeq, next);
                if (EventReceived is { } handler)
                {
                    await handler(evt).ConfigureAwait(false);
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Fills the gap after <see cref="LastSeq"/> from the server's event log; false when it could not.</summary>
    private async Task<bool> TryCatchUpAsync()
    {
        try
        {
            while (true)
            {
                var result = await SyncEventsAsync(new SyncEventsRequest { SinceSeq = _lastSeq, Limit = 200 }, _stopping.Token).ConfigureAwait(false);
                if (result.ResyncRequired)
                {
                    Interlocked.Exchange(ref _lastSeq, result.LastSeq);
                    _pending.Clear();
                    _ownSeqs.Clear();
                    if (ResyncRequired is { } resync)
                    {
                        await resync(result).ConfigureAwait(false);
                    }

                    return true;
                }

                foreach (var evt in result.Events.Where(e => e.Seq > _lastSeq))
                {
                    Interlocked.Exchange(ref _lastSeq, evt.Seq);
                    if (_ownSeqs.Remove(evt.Seq))
                    {
                        continue;
                    }

                    _pending.Remove(evt.Seq);
                    EventsRecovered++;
                    if (EventReceived is { } handler)
                    {
                        await handler(evt).ConfigureAwait(false);
                    }
                }

                foreach (var stale in _pending.Keys.Where(seq => seq <= _lastSeq).ToList())
                {
                    _pending.Remove(stale);
                    DuplicatesDropped++;
                }

                _ownSeqs.RemoveWhere(seq => seq <= _lastSeq);
                if (!result.HasMore)
                {
                    await RaiseContiguousAsync().ConfigureAwait(false);
                    return true;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stopping.IsCancellationRequested)
        {
            if (CatchUpFailed is { } failed)
            {
                await failed(ex).ConfigureAwait(false);
            }

            return false;
        }
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

    private abstract record Work;

    private sealed record LiveMessage(Message Message) : Work;

    private sealed record LiveEvent(MultiDeviceEvent Event) : Work;

    private sealed record LiveReadAck(ReadAck Ack) : Work;

    private sealed record OwnSeq(long Seq) : Work;

    private sealed record CatchUp : Work
    {
        public static readonly CatchUp Instance = new();
    }
}
