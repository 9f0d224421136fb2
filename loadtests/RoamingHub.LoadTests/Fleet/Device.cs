using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// One connected device, and a record of every push as it came off the wire. Against RoamingHub it is a
/// <see cref="RoamingHubClient"/> whose raw handlers see what the server sent, duplicates included, which the client's
/// deduplicated events would hide; against the Socket.IO peer it is a <see cref="SocketIoConnection"/>, which reports
/// every push as it is.
/// </summary>
internal sealed class Device
{
    private readonly Lock _gate = new();
    private readonly RoamingHubClient? _client;
    private SocketIoConnection? _socket;
    private List<Arrival>? _events;
    private List<Arrival>? _messages;
    private int _orderedEvents;
    private int _rawEvents;
    private int _rawMessages;

    public Device(int user, int index, Uri node, RoamingHubClient client)
        : this(user, index, node)
    {
        _client = client;
        client.Connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, e => RecordEvent(e.Seq));
        client.Connection.On<Message>(HubEvents.OnMessage, OnRawMessage);
        client.EventReceived += _ =>
        {
            Interlocked.Increment(ref _orderedEvents);
            return Task.CompletedTask;
        };
        client.Connection.Closed += error =>
        {
            ClosedWith ??= error ?? new InvalidOperationException("closed");
            return Task.CompletedTask;
        };
    }

    /// <summary>A Socket.IO device: <see cref="RecordEvent"/> is its connection's event handler, then <see cref="Attach"/> gives it the connection.</summary>
    public Device(int user, int index, Uri node)
    {
        User = user;
        Index = index;
        Node = node;
    }

    /// <summary>Index of the device's user in the run.</summary>
    public int User { get; }

    /// <summary>Index of the device among its user's devices; device 0 is the one that pins.</summary>
    public int Index { get; }

    public Uri Node { get; }

    /// <summary>The RoamingHub client; the scenarios other than pin-fanout use it, and only run against RoamingHub.</summary>
    public RoamingHubClient Client => _client ?? throw new InvalidOperationException("Only pin-fanout runs against the Socket.IO peer.");

    /// <summary>Why the connection closed, when it did before the run ended it.</summary>
    public Exception? ClosedWith { get; private set; }

    public bool IsConnected => _client is not null ? _client.Connection.State == HubConnectionState.Connected : _socket is { IsOpen: true };

    /// <summary>Events the RoamingHub client recovered through <c>SyncEvents</c> after missing their push (none over Socket.IO).</summary>
    public int EventsRecovered => _client?.EventsRecovered ?? 0;

    /// <summary>Live duplicates the RoamingHub client dropped (none over Socket.IO, which has no seq to drop them by).</summary>
    public int DuplicatesDropped => _client?.DuplicatesDropped ?? 0;

    public int RawEventCount => Volatile.Read(ref _rawEvents);

    public int RawMessageCount => Volatile.Read(ref _rawMessages);

    /// <summary>Events the client raised through <see cref="RoamingHubClient.EventReceived"/>: once each, in seq order.</summary>
    public int OrderedEventCount => Volatile.Read(ref _orderedEvents);

    /// <summary>Every <c>onMultiDeviceEvent</c> push: its seq and when it arrived.</summary>
    public IReadOnlyList<Arrival> Events
    {
        get
        {
            lock (_gate)
            {
                return _events is null ? [] : [.. _events];
            }
        }
    }

    /// <summary>Every <c>onMessage</c> push that carries a load-test operation id, and when it arrived.</summary>
    public IReadOnlyList<Arrival> Messages
    {
        get
        {
            lock (_gate)
            {
                return _messages is null ? [] : [.. _messages];
            }
        }
    }

    /// <summary>Gives a Socket.IO device its open connection.</summary>
    public void Attach(SocketIoConnection socket)
    {
        _socket = socket;
        socket.Closed += error => ClosedWith ??= error;
        ClosedWith ??= socket.ClosedWith;
    }

    /// <summary>Pins or unpins a conversation; the seq of the event it produced, or null when it changed nothing.</summary>
    public async Task<long?> PinAsync(string conversationId, bool isPinned)
    {
        if (_client is not null)
        {
            var result = await _client.PinConversationAsync(new PinConversationRequest
            {
                ConversationId = conversationId,
                ChatType = ChatTypes.SingleChat,
                IsPinned = isPinned,
            }).ConfigureAwait(false);
            return result.Seq;
        }

        var seq = await (_socket ?? throw new InvalidOperationException(ErrorTally.NotConnected))
            .CallAsync("pin", new PeerPin(conversationId, isPinned)).ConfigureAwait(false);
        return seq > 0 ? seq : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }
        else if (_socket is not null)
        {
            await _socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A push of an event with <paramref name="seq"/>, timed as it came off the wire.</summary>
    public void RecordEvent(long seq)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            (_events ??= []).Add(new Arrival(seq, now));
        }

        Interlocked.Increment(ref _rawEvents);
    }

    private void OnRawMessage(Message m)
    {
        var now = Stopwatch.GetTimestamp();
        if (MessageBody.OperationOf(m.Body) is not { } operation)
        {
            return;
        }

        lock (_gate)
        {
            (_messages ??= []).Add(new Arrival(operation, now));
        }

        Interlocked.Increment(ref _rawMessages);
    }
}

/// <summary>The peer's <c>pin</c> argument, in its JSON names.</summary>
internal sealed record PeerPin(
    [property: System.Text.Json.Serialization.JsonPropertyName("conversationId")] string ConversationId,
    [property: System.Text.Json.Serialization.JsonPropertyName("isPinned")] bool IsPinned);

/// <summary>A push as it arrived: the seq of an event or the operation id of a message, and the arrival time.</summary>
internal readonly record struct Arrival(long Key, long Timestamp);

/// <summary>Message bodies that carry the id of the operation that sent them, padded to a chosen size.</summary>
internal static class MessageBody
{
    private const string Prefix = "op:";

    public static string For(long operation, int bytes)
    {
        var head = $"{Prefix}{operation}|";
        return head.Length >= bytes ? head : head + new string('x', bytes - head.Length);
    }

    public static long? OperationOf(string body)
    {
        if (!body.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = body.IndexOf('|', Prefix.Length);
        return end > 0 && long.TryParse(body.AsSpan(Prefix.Length, end - Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : null;
    }
}
