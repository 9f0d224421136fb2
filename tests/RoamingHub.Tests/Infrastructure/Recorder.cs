using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// Records what a client receives: the events and messages the client raises, and separately every raw push as it
/// came off the wire, so tests can tell "delivered exactly once" from "deduplicated by the client".
/// </summary>
public sealed class Recorder
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<MultiDeviceEvent> _events = new();
    private readonly ConcurrentQueue<Message> _messages = new();
    private readonly ConcurrentQueue<MultiDeviceEvent> _rawEvents = new();
    private readonly ConcurrentQueue<Message> _rawMessages = new();
    private readonly ConcurrentQueue<ReadAck> _readAcks = new();

    public Recorder(RoamingHubClient client)
    {
        client.EventReceived += e =>
        {
            _events.Enqueue(e);
            return Task.CompletedTask;
        };
        client.MessageReceived += m =>
        {
            _messages.Enqueue(m);
            return Task.CompletedTask;
        };
        client.Connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, _rawEvents.Enqueue);
        client.Connection.On<Message>(HubEvents.OnMessage, _rawMessages.Enqueue);
        client.Connection.On<ReadAck>(HubEvents.OnReadAck, _readAcks.Enqueue);
    }

    public IReadOnlyList<MultiDeviceEvent> Events => [.. _events];
    public IReadOnlyList<Message> Messages => [.. _messages];
    public IReadOnlyList<MultiDeviceEvent> RawEvents => [.. _rawEvents];
    public IReadOnlyList<Message> RawMessages => [.. _rawMessages];

    public IReadOnlyList<ReadAck> ReadAcks => [.. _readAcks];

    public Task<IReadOnlyList<ReadAck>> WaitForReadAcksAsync(int count) => WaitAsync(() => ReadAcks, count);

    public Task<IReadOnlyList<MultiDeviceEvent>> WaitForEventsAsync(int count) => WaitAsync(() => Events, count);

    public Task<IReadOnlyList<Message>> WaitForMessagesAsync(int count) => WaitAsync(() => Messages, count);

    /// <summary>Waits long enough for a stray push to have arrived; for asserting that something did not come.</summary>
    public static Task SettleAsync() => Task.Delay(TimeSpan.FromMilliseconds(500));

    private static async Task<IReadOnlyList<T>> WaitAsync<T>(Func<IReadOnlyList<T>> read, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (read().Count < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} items, got {read().Count} within {Patience}.");
            }

            await Task.Delay(20);
        }

        return read();
    }
}
