using System.Net;
using System.Net.Http.Json;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Two real nodes on a three-master Redis Cluster, configured as a deployment would be (a connection string listing
/// the masters): state and the SignalR backplane work across nodes exactly as on a single Redis.
/// </summary>
public sealed class ClusterTests : IClassFixture<ClusterTests.Nodes>
{
    private readonly Nodes _nodes;

    public ClusterTests(Nodes nodes) => _nodes = nodes;

    public sealed class Nodes : IDisposable
    {
        public Nodes()
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = RedisCluster.Instance.ConnectionString,
                ["Roaming:RedisKeyPrefix"] = TestIds.Prefix(),
            };
            A = new RoamingNode(settings);
            B = new RoamingNode(settings);
        }

        public RoamingNode A { get; }
        public RoamingNode B { get; }

        public void Dispose()
        {
            A.Dispose();
            B.Dispose();
            Assert.Equal(0, RedisCluster.Instance.CrossSlotErrors());
        }
    }

    [Fact]
    public async Task A_pin_on_node_A_reaches_the_same_users_device_on_node_B_exactly_once()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _nodes.A.ConnectAsync(alice, "phone");
        await using var laptop = await _nodes.B.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        var (onPhone, onLaptop) = (new Recorder(phone), new Recorder(laptop));

        var pinned = await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true });

        var received = (await onLaptop.WaitForEventsAsync(1)).Single();
        Assert.Equal(
            new MultiDeviceEvent
            {
                Seq = 1,
                Operation = MultiDeviceOperations.ConversationPinned,
                ConversationId = bob,
                ChatType = ChatTypes.SingleChat,
                Timestamp = pinned.PinnedTime!.Value,
                FromDeviceId = "phone",
                PinnedTime = pinned.PinnedTime,
                Epoch = pinned.Epoch,
            },
            received);
        await Recorder.SettleAsync();
        Assert.Equal([1L], onLaptop.RawEvents.Select(e => e.Seq));
        Assert.Equal(0, laptop.EventsRecovered);
        Assert.Empty(onPhone.RawEvents);
        Assert.True(Assert.Single((await laptop.FetchPinnedConversationsAsync()).Data).IsPinned);
    }

    [Fact]
    public async Task A_message_and_a_group_message_reach_every_device_on_both_nodes_once()
    {
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        var groupId = TestIds.User("team");
        using (var http = _nodes.B.CreateHttpClient())
        using (var create = new HttpRequestMessage(HttpMethod.Post, AdminApi.Groups) { Content = JsonContent.Create(new CreateGroupRequest { GroupId = groupId, Owner = alice, Members = [bob, carol] }) })
        {
            create.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
            using var created = await http.SendAsync(create);
            Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        }

        await using var alicePhone = await _nodes.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _nodes.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _nodes.B.ConnectAsync(bob, "phone", RoamingHubProtocol.Json);
        await using var carolPhone = await _nodes.A.ConnectAsync(carol, "phone");
        var (onAlicePhone, onAliceLaptop, onBob, onCarol) = (new Recorder(alicePhone), new Recorder(aliceLaptop), new Recorder(bobPhone), new Recorder(carolPhone));

        var direct = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "across the cluster" });
        var toGroup = await bobPhone.SendMessageAsync(new SendMessageRequest { To = groupId, ChatType = ChatTypes.GroupChat, Body = "hello team" });

        var bobsEpoch = (await bobPhone.GetSyncStateAsync()).Epoch;
        Assert.Equal(direct with { ConversationId = alice, Seq = 1, Epoch = bobsEpoch }, (await onBob.WaitForMessagesAsync(1)).Single());
        // Each member gets the group message under the seq of its entry in their own stream.
        var atAlice = toGroup with { Seq = 2, Epoch = direct.Epoch };
        Assert.Equal([direct, atAlice], await onAliceLaptop.WaitForMessagesAsync(2));
        Assert.Equal([atAlice], await onAlicePhone.WaitForMessagesAsync(1));
        Assert.Equal([toGroup with { Seq = 1, Epoch = (await carolPhone.GetSyncStateAsync()).Epoch }], await onCarol.WaitForMessagesAsync(1));
        await Recorder.SettleAsync();
        Assert.Equal([2, 1, 1, 1], new[] { onAliceLaptop, onAlicePhone, onBob, onCarol }.Select(r => r.RawMessages.Count));

        var history = await carolPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = groupId, ChatType = ChatTypes.GroupChat });
        Assert.Equal([toGroup with { Seq = null, Epoch = null }], history.Data);
        var bobsList = (await bobPhone.FetchConversationsAsync()).Data.ToDictionary(c => c.ConversationId);
        Assert.Equal([alice, groupId], bobsList.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((direct with { ConversationId = alice, Seq = null, Epoch = null }, 1), (bobsList[alice].LastMessage, bobsList[alice].UnreadCount));
        Assert.Equal((toGroup with { Seq = null, Epoch = null }, 0), (bobsList[groupId].LastMessage, bobsList[groupId].UnreadCount));
    }
}
