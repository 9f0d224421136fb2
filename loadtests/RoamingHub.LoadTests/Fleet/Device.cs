using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// One connected device: a <see cref="RoamingHubClient"/> plus a record of every push as it came off the wire. The
/// raw handlers see what the server sent, duplicates included, which the client's deduplicated events would hide.
/// </summary>
internal sealed class Device
{
    private readonly Lock _gate = new();
    private List<Arrival>? _events;
    private List<Arrival>? _messages;
    private int _orderedEvents;
    private int _rawEvents;
    private int _rawMessages;

    public Device(int user, int index, Uri node, RoamingHubClient client)
    {
        User = user;
        Index = index;
        Node = node;
        Client = client;
        client.Connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, OnRawEvent);
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

    /// <summary>Index of the device's user in the run.</summary>
    public int User { get; }

    /// <summary>Index of the device among its user's devices; device 0 is the one that pins.</summary>
    public int Index { get; }

    public Uri Node { get; }

    public RoamingHubClient Client { get; }

    /// <summary>Why the connection closed, when it did before the run ended it.</summary>
    public Exception? ClosedWith { get; private set; }

    public bool IsConnected => Client.Connection.State == HubConnectionState.Connected;

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

    private void OnRawEvent(MultiDeviceEvent e)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            (_events ??= []).Add(new Arrival(e.Seq, now));
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
