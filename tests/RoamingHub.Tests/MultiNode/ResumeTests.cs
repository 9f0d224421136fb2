using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Resume on connect, done by the server: a plain SignalR client that connects with its last <c>(epoch, seq)</c> in
/// the hub URL receives every entry it missed, exactly once and in order, then the live stream, without calling
/// <c>SyncEvents</c>; or one <c>onResyncRequired</c> when the stream no longer reaches back or the epoch changed.
/// </summary>
public sealed class ResumeTests(ResumeTests.Cluster cluster) : IClassFixture<ResumeTests.Cluster>
{
    private const int EventLogLength = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public sealed class Cluster() : TwoNodes(new Dictionary<string, string?> { ["Roaming:EventLogLength"] = EventLogLength.ToString() });

    [Fact]
    public async Task A_device_that_resumes_with_its_epoch_and_seq_gets_exactly_the_5_events_3_messages_and_read_ack_it_missed_in_order()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await cluster.A.ConnectAsync(alice, "phone");
        await using var bobsPhone = await cluster.A.ConnectAsync(bob, "phone");
        await bobsPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "before" });
        var position = await phone.GetSyncStateAsync();

        // Missed while the laptop is away: 5 events, 3 messages (2 received, 1 sent from the phone) and a read ack.
        for (var i = 0; i < 5; i++)
        {
            await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = i % 2 == 0 });
        }

        await bobsPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "m1" });
        await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "m2" });
        await bobsPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "m3" });
        await bobsPhone.MarkConversationReadAsync(new MarkConversationReadRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat });

        await using var laptop = await ConnectPlainAsync(cluster.B, alice, position.LastSeq, position.Epoch);
        var missed = await laptop.WaitForAsync(9);

        Assert.Equal(Enumerable.Range(1, 9).Select(i => position.LastSeq + i), missed.Select(p => p.Seq));
        Assert.All(missed, p => Assert.Equal(position.Epoch, p.Epoch));
        Assert.Equal(
            [.. Enumerable.Repeat(HubEvents.OnMultiDeviceEvent, 5), HubEvents.OnMessage, HubEvents.OnMessage, HubEvents.OnMessage, HubEvents.OnReadAck],
            missed.Select(p => p.Method));
        Assert.Equal(["m1", "m2", "m3"], missed.Where(p => p.Method == HubEvents.OnMessage).Select(p => p.Body));

        // Then the live stream, in order after the replay (the last of the five pins above pinned: this unpins).
        var pinned = await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = false });
        // One more change, whose push the laptop's one outbox sends after anything queued before it: had any entry
        // been sent twice, it would stand before this one.
        var marker = await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true });
        var all = await laptop.WaitForAsync(11);
        Assert.Equal([pinned.Seq!.Value, marker.Seq!.Value], all.Skip(9).Select(p => p.Seq));
        Assert.Equal(Enumerable.Range(1, 11).Select(i => position.LastSeq + i), all.Select(p => p.Seq));
    }

    [Fact]
    public async Task A_device_that_resumes_while_another_device_keeps_changing_state_gets_every_entry_once_and_in_order()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await cluster.A.ConnectAsync(alice, "phone");
        for (var i = 0; i < 10; i++)
        {
            await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = i % 2 == 0 });
        }

        // Resumes from the start of the stream while the phone, on the other node, makes ten more changes.
        var writing = Task.Run(async () =>
        {
            for (var i = 10; i < 20; i++)
            {
                await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = i % 2 == 0 });
            }
        });
        await using var laptop = await ConnectPlainAsync(cluster.B, alice, sinceSeq: 0, epoch: null);
        await writing;

        var last = (await phone.GetSyncStateAsync()).LastSeq;
        Assert.Equal(20, last);
        var received = await laptop.WaitForAsync(20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), received.Select(p => p.Seq));
    }

    [Fact]
    public async Task A_device_behind_the_log_or_on_another_epoch_gets_one_resyncRequired_and_then_the_live_stream()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await cluster.A.ConnectAsync(alice, "phone");
        for (var i = 0; i < EventLogLength + 5; i++)
        {
            await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = i % 2 == 0 });
        }

        var now = await phone.GetSyncStateAsync();
        await using var behind = await ConnectPlainAsync(cluster.B, alice, sinceSeq: 1, now.Epoch);
        await using var otherEpoch = await ConnectPlainAsync(cluster.A, alice, sinceSeq: now.LastSeq, "an-epoch-long-gone");

        foreach (var device in new[] { behind, otherEpoch })
        {
            var resync = Assert.Single(await device.WaitForAsync(1));
            Assert.Equal((HubEvents.OnResyncRequired, now.LastSeq, now.Epoch), (resync.Method, resync.Seq, resync.Epoch));
        }

        // The last pin above pinned (an even count of changes before it): this unpins, so it is an entry.
        var pinned = await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = false });
        foreach (var device in new[] { behind, otherEpoch })
        {
            var received = await device.WaitForAsync(2);
            Assert.Equal((HubEvents.OnMultiDeviceEvent, pinned.Seq), (received[1].Method, received[1].Seq));
        }
    }

    private static async Task<PlainDevice> ConnectPlainAsync(RoamingNode node, string userId, long sinceSeq, string? epoch)
    {
        var token = await node.IssueTokenAsync(userId);
        var query = $"{RoamingProtocol.DeviceIdQueryParameter}=laptop&{RoamingProtocol.SinceSeqQueryParameter}={sinceSeq}"
            + (epoch is null ? "" : $"&{RoamingProtocol.EpochQueryParameter}={Uri.EscapeDataString(epoch)}");
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseAddress, $"{RoamingProtocol.HubPath}?{query}"), http =>
            {
                http.AccessTokenProvider = () => Task.FromResult<string?>(token);
                http.Transports = HttpTransportType.WebSockets;
                http.SkipNegotiation = true;
            })
            .AddMessagePackProtocol()
            .Build();
        var device = new PlainDevice(connection);
        await connection.StartAsync();
        return device;
    }

    /// <summary>A plain SignalR client that only records what it is pushed: no catch-up code of its own.</summary>
    private sealed class PlainDevice : IAsyncDisposable
    {
        private readonly HubConnection _connection;

        public PlainDevice(HubConnection connection)
        {
            _connection = connection;
            connection.On<MultiDeviceEvent>(HubEvents.OnMultiDeviceEvent, e => Received.Enqueue(new Pushed(HubEvents.OnMultiDeviceEvent, e.Seq, e.Epoch, null)));
            connection.On<Message>(HubEvents.OnMessage, m => Received.Enqueue(new Pushed(HubEvents.OnMessage, m.Seq ?? -1, m.Epoch, m.Body)));
            connection.On<ReadAck>(HubEvents.OnReadAck, a => Received.Enqueue(new Pushed(HubEvents.OnReadAck, a.Seq ?? -1, a.Epoch, null)));
            connection.On<ResyncRequired>(HubEvents.OnResyncRequired, r => Received.Enqueue(new Pushed(HubEvents.OnResyncRequired, r.LastSeq, r.Epoch, null)));
        }

        public ConcurrentQueue<Pushed> Received { get; } = new();

        public async Task<IReadOnlyList<Pushed>> WaitForAsync(int count)
        {
            var deadline = DateTime.UtcNow + Patience;
            while (Received.Count < count && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.True(Received.Count >= count, $"{Received.Count} of {count} pushes arrived: {string.Join(", ", Received)}");
            return [.. Received.Take(count)];
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }

    private sealed record Pushed(string Method, long Seq, string? Epoch, string? Body);
}
