using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// A device that stops reading holds up nobody but itself: every other call and push completes while it is stuck,
/// and once its outbox overflows it is closed so that it reconnects and resumes. Tests assert completion, not timing.
/// </summary>
public sealed class SlowReaderTests
{
    private const int MessagesEachWay = 500;

    private static readonly Dictionary<string, string?> Unthrottled = new()
    {
        ["Roaming:RateLimit:PerConnectionPerSecond"] = "1000000",
        ["Roaming:RateLimit:PerConnectionBurst"] = "1000000",
        ["Roaming:RateLimit:PerUserPerSecond"] = "1000000",
        ["Roaming:RateLimit:PerUserBurst"] = "1000000",
    };

    private static Dictionary<string, string?> With(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(Unthrottled);
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    private static SendMessageRequest Text(string to, string body) => new() { To = to, ChatType = ChatTypes.SingleChat, Body = body };

    [Fact]
    public async Task On_the_embedded_store_a_device_that_stops_reading_holds_up_no_call_and_no_other_push()
    {
        using var node = new RoamingNode(Unthrottled);

        await ExchangeWhileOneDeviceIsStuckAsync(node, node, node);
    }

    [Fact]
    public async Task On_two_nodes_with_Redis_a_device_that_stops_reading_holds_up_no_call_and_no_other_push()
    {
        var prefix = TestIds.Prefix();
        using var a = RoamingNode.OnRedis(prefix, Unthrottled);
        using var b = RoamingNode.OnRedis(prefix, Unthrottled);

        await ExchangeWhileOneDeviceIsStuckAsync(a, b, stuckOn: a);
    }

    /// <summary>
    /// Alice and Bob send each other 1,000 messages in all while Bob's tablet, which every one of them is pushed to,
    /// never reads: every call returns and every other device receives every message exactly once.
    /// </summary>
    private static async Task ExchangeWhileOneDeviceIsStuckAsync(RoamingNode aliceNode, RoamingNode bobNode, RoamingNode stuckOn)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var stuckTablet = await RawHubConnection.ConnectAsync(stuckOn, bob, messagePack: true);
        await using var alicePhone = await aliceNode.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await bobNode.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var bobPhone = await bobNode.ConnectAsync(bob, "phone");
        var (atAlicePhone, atAliceLaptop, atBobPhone) = (new Recorder(alicePhone), new Recorder(aliceLaptop), new Recorder(bobPhone));

        var calls = Task.WhenAll(
            Task.Run(async () =>
            {
                for (var i = 0; i < MessagesEachWay; i++)
                {
                    await alicePhone.SendMessageAsync(Text(bob, $"a{i}"));
                }
            }),
            Task.Run(async () =>
            {
                for (var i = 0; i < MessagesEachWay; i++)
                {
                    await bobPhone.SendMessageAsync(Text(alice, $"b{i}"));
                }
            }));
        await calls.WaitAsync(TimeSpan.FromMinutes(2));

        await atAliceLaptop.WaitForMessagesAsync(2 * MessagesEachWay);
        await atBobPhone.WaitForMessagesAsync(MessagesEachWay);
        await atAlicePhone.WaitForMessagesAsync(MessagesEachWay);
        await Recorder.SettleAsync();
        Assert.Equal(2 * MessagesEachWay, atAliceLaptop.RawMessages.Count);
        Assert.Equal([.. Enumerable.Range(0, MessagesEachWay).Select(i => $"a{i}")], atBobPhone.RawMessages.Select(m => m.Body));
        Assert.Equal([.. Enumerable.Range(0, MessagesEachWay).Select(i => $"b{i}")], atAlicePhone.RawMessages.Select(m => m.Body));
    }

    [Fact]
    public async Task A_device_that_stops_reading_is_closed_once_its_outbox_overflows_while_its_users_other_device_keeps_receiving()
    {
        using var node = new RoamingNode(With(("Roaming:ConnectionOutboxLength", "4"), ("Roaming:MaxMessageBodyBytes", "65536")));
        var connections = node.Services.GetRequiredService<LocalConnections>();
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var stuckTablet = await RawHubConnection.ConnectAsync(node, bob, messagePack: false);
        await using var alicePhone = await node.ConnectAsync(alice, "phone");
        // The handshake is answered before the hub admits the connection.
        await WaitUntilAsync(() => connections.ConnectionsOf(bob).Count == 1);
        var stuck = Assert.Single(connections.ConnectionsOf(bob));
        await using var bobPhone = await node.ConnectAsync(bob, "phone");
        var atBobPhone = new Recorder(bobPhone);

        // Large messages fill the socket buffers between the node and the tablet, after which its outbox fills. Each
        // send waits until the phone has it: the phone's outbox is as short as the tablet's, and on a starved machine a
        // phone that fell four pushes behind would be closed for overflowing too, which is the rule, not this test.
        var body = new string('x', 60_000);
        var sent = 0;
        while (!stuck.Overflowed && sent < 1000)
        {
            await alicePhone.SendMessageAsync(Text(bob, body));
            sent++;
            await atBobPhone.WaitForMessagesAsync(sent);
        }

        Assert.True(stuck.Overflowed, $"The tablet's outbox did not overflow after {sent} messages.");
        await WaitUntilAsync(() => connections.Find(stuck.ConnectionId) is null);
        Assert.Contains(node.Logs, line => line.Contains("Closing connection " + stuck.ConnectionId, StringComparison.Ordinal));
        await alicePhone.SendMessageAsync(Text(bob, "after"));
        await atBobPhone.WaitForMessagesAsync(sent + 1);
        Assert.Equal("after", atBobPhone.RawMessages[^1].Body);
    }

    [Fact]
    public async Task A_connection_closed_for_an_overflowing_outbox_reconnects_by_itself()
    {
        using var node = new RoamingNode(With(("Roaming:ConnectionOutboxLength", "2")));
        var connections = node.Services.GetRequiredService<LocalConnections>();
        var alice = TestIds.User("alice");
        await using var phone = await RoamingNode.ConnectAsync(node.BaseAddress, alice, "phone", reconnect: true);
        var reconnected = new TaskCompletionSource();
        var closed = false;
        phone.Connection.Reconnected += _ =>
        {
            reconnected.TrySetResult();
            return Task.CompletedTask;
        };
        phone.Connection.Closed += _ =>
        {
            closed = true;
            return Task.CompletedTask;
        };
        var outbox = Assert.Single(connections.ConnectionsOf(alice));

        // Queued without writing on this thread (as a large group's push is), far faster than any connection drains:
        // the outbox overflows at once. Written inline, tiny pushes could keep pace with a transport that drains them.
        for (var i = 0; i < 100_000 && outbox.TryQueueForThreadPool(new OutboxItem("onTestFlood", "x", null)); i++)
        {
        }

        Assert.True(outbox.Overflowed);
        await reconnected.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(closed);
        Assert.NotEqual(outbox.ConnectionId, Assert.Single(connections.ConnectionsOf(alice)).ConnectionId);
    }

    [Fact]
    public async Task An_overflow_closes_with_a_Close_message_that_allows_reconnecting()
    {
        using var node = new RoamingNode(With(("Roaming:ConnectionOutboxLength", "2")));
        var connections = node.Services.GetRequiredService<LocalConnections>();
        var alice = TestIds.User("alice");
        await using var raw = await RawHubConnection.ConnectAsync(node, alice, messagePack: false);
        await WaitUntilAsync(() => connections.ConnectionsOf(alice).Count == 1);
        var outbox = Assert.Single(connections.ConnectionsOf(alice));

        for (var i = 0; i < 100_000 && outbox.TryQueueForThreadPool(new OutboxItem("onTestFlood", "x", null)); i++)
        {
        }

        var frames = await raw.ReadUntilClosedAsync();
        Assert.EndsWith("""{"type":7,"allowReconnect":true}""" + "\u001e", frames.Last(f => f.Length > 0), StringComparison.Ordinal);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => Poll.UntilAsync(condition, TimeSpan.FromSeconds(15));
}
