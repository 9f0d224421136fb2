using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features;
using RoamingHub.Server.Features.Conversations;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Delivery between nodes: a change made on one node reaches the user's devices on another once and in order, and
/// every change costs one publish on the delivery channel, a group message included.
/// </summary>
public sealed class DeliveryTests : IClassFixture<DeliveryTests.Cluster>
{
    private const int Changes = 30;
    private readonly Cluster _cluster;

    public DeliveryTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    private static PinConversationRequest Pin(string conversationId, bool isPinned) =>
        new() { ConversationId = conversationId, ChatType = ChatTypes.SingleChat, IsPinned = isPinned };

    [Fact]
    public async Task Changes_made_on_node_A_reach_the_users_devices_on_node_B_exactly_once_and_in_order()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var tablet = await _cluster.B.ConnectAsync(alice, "tablet");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        var others = new[] { new Recorder(laptop), new Recorder(tablet) };
        var atBob = new Recorder(bobPhone);

        for (var i = 0; i < Changes; i++)
        {
            await phone.PinConversationAsync(Pin(bob, isPinned: i % 2 == 0));
            await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = $"m{i}" });
        }

        foreach (var device in others)
        {
            await device.WaitForEventsAsync(Changes);
            await device.WaitForMessagesAsync(Changes);
        }

        await atBob.WaitForMessagesAsync(Changes);
        await Recorder.SettleAsync();
        var bodies = Enumerable.Range(0, Changes).Select(i => $"m{i}").ToList();
        // Pins and sent messages alternate in Alice's stream: pins take the odd seqs, her messages the even ones.
        foreach (var device in others)
        {
            Assert.Equal(Enumerable.Range(0, Changes).Select(i => (2L * i) + 1), device.RawEvents.Select(e => e.Seq));
            Assert.Equal(bodies, device.RawMessages.Select(m => m.Body));
            Assert.Equal(Enumerable.Range(0, Changes).Select(i => (long?)((2L * i) + 2)), device.RawMessages.Select(m => m.Seq));
        }

        Assert.Equal(bodies, atBob.RawMessages.Select(m => m.Body));
        Assert.Equal(Enumerable.Range(1, Changes).Select(i => (long?)i), atBob.RawMessages.Select(m => m.Seq));
    }

    [Fact]
    public async Task A_pin_is_one_publish_made_by_the_store_under_the_origin_nodes_id_with_the_pins_seq()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        var atLaptop = new Recorder(laptop);
        await using var tap = await ChannelTap.StartAsync(RedisServer.Instance.Multiplexer, new DeliveryChannels(_cluster.Prefix).Deliver);

        var pinned = await phone.PinConversationAsync(Pin(bob, isPinned: true));

        Assert.Equal(pinned.Seq, Assert.Single(await atLaptop.WaitForEventsAsync(1)).Seq);
        var message = Assert.Single(await tap.SettledAsync(1));
        // Node A skips it as its own (its devices got the push directly); every other node reads it.
        Assert.Null(DeliveryProtocol.ReadUnlessFrom(message, _cluster.A.Services.GetRequiredService<RedisDeliveryBus>().NodeId));
        var push = Assert.Single(DeliveryProtocol.ReadUnlessFrom(message, "a node that is not in this test")!);
        Assert.Equal(HubEvents.OnMultiDeviceEvent, push.Method);
        // The node's own publish would name the phone's connection; the script's names none.
        Assert.Null(push.ExceptConnectionId);
        Assert.Equal(new PushTarget(alice, pinned.Seq, pinned.Epoch), Assert.Single(push.Targets));
        Assert.Equal(MultiDeviceOperations.ConversationPinned, ((MultiDeviceEvent)push.Payload).Operation);
    }

    [Fact]
    public async Task A_repeat_on_node_B_of_a_pin_whose_node_A_failed_after_storing_it_reaches_the_users_devices_on_node_A()
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var laptop = await _cluster.A.ConnectAsync(alice, "laptop");
        await using var phone = await _cluster.B.ConnectAsync(alice, "phone");
        var atLaptop = new Recorder(laptop);
        var opId = "op-" + Guid.NewGuid().ToString("N");

        // The first attempt, on node A: its store step ran and published under A's id, which A skips; then A failed
        // before it queued the push for its own devices, and the phone never got its answer.
        var first = await _cluster.A.Services.GetRequiredService<IConversationStore>().PinConversationAsync(
            alice, ConversationRef.Parse(ChatTypes.SingleChat, bob, alice), true, "phone", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            $"{nameof(PinConversation)}:{opId}", CancellationToken.None);
        var repeat = await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true, ClientOpId = opId });

        Assert.Equal(first.Event!.Seq, repeat.Seq);
        // As a live push: the client could also learn the entry by reading its stream.
        await Poll.UntilAsync(() => atLaptop.RawEvents.Count > 0, TimeSpan.FromSeconds(20), "A live push to the laptop");
        Assert.Equal(repeat.Seq, Assert.Single(atLaptop.RawEvents).Seq);
    }

    [Fact]
    public async Task A_group_message_is_one_publish_that_names_every_member()
    {
        var (alice, bob, carol, dave) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("dave"));
        var groupId = TestIds.User("team");
        using (var http = _cluster.A.CreateHttpClient())
        using (var request = new HttpRequestMessage(HttpMethod.Post, AdminApi.Groups)
        {
            Content = JsonContent.Create(new CreateGroupRequest { GroupId = groupId, Owner = alice, Members = [bob, carol, dave] }),
        })
        {
            request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
            using var created = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        await using var carolPhone = await _cluster.B.ConnectAsync(carol, "phone");
        await using var davePhone = await _cluster.A.ConnectAsync(dave, "phone");
        var receivers = new[] { aliceLaptop, bobPhone, carolPhone, davePhone }.Select(d => new Recorder(d)).ToList();
        await using var tap = await ChannelTap.StartAsync(RedisServer.Instance.Multiplexer, new DeliveryChannels(_cluster.Prefix).Deliver);

        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = groupId, ChatType = ChatTypes.GroupChat, Body = "hello team" });

        foreach (var device in receivers)
        {
            Assert.Equal([sent.MsgId], (await device.WaitForMessagesAsync(1)).Select(m => m.MsgId));
        }

        var message = Assert.Single(await tap.SettledAsync(1));
        Assert.All(receivers, device => Assert.Single(device.RawMessages));
        var push = Assert.Single(DeliveryProtocol.ReadUnlessFrom(message, "a node that is not in this test")!);
        Assert.Equal(HubEvents.OnMessage, push.Method);
        Assert.Equal(new[] { alice, bob, carol, dave }.Order(), push.Targets.Select(t => t.UserId).Order());
        Assert.Equal(sent.MsgId, ((Message)push.Payload).MsgId);
    }
}
