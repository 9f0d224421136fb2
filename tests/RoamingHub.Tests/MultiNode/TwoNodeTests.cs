using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>Two real server nodes on one real Redis: what one device does reaches the user's devices on both nodes.</summary>
public sealed class TwoNodeTests : IClassFixture<TwoNodeTests.Cluster>
{
    private const int EventLogLength = 10;
    private readonly Cluster _cluster;

    public TwoNodeTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes
    {
        public Cluster()
            : base(new Dictionary<string, string?> { ["Roaming:EventLogLength"] = EventLogLength.ToString() })
        {
        }
    }

    private static PinConversationRequest Pin(string conversationId, bool isPinned = true) =>
        new() { ConversationId = conversationId, ChatType = ChatTypes.SingleChat, IsPinned = isPinned };

    [Fact]
    public async Task Pin_on_one_device_reaches_the_other_devices_on_both_nodes_exactly_once_in_JSON_and_MessagePack()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone", RoamingHubProtocol.MessagePack);
        await using var watch = await _cluster.A.ConnectAsync(alice, "watch", RoamingHubProtocol.Json);
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop", RoamingHubProtocol.Json);
        await using var tablet = await _cluster.B.ConnectAsync(alice, "tablet", RoamingHubProtocol.MessagePack);
        await using var bobsPhone = await _cluster.B.ConnectAsync(bob, "phone");
        var origin = new Recorder(phone);
        var others = new[] { new Recorder(watch), new Recorder(laptop), new Recorder(tablet) };
        var bystander = new Recorder(bobsPhone);

        var pinned = await phone.PinConversationAsync(Pin(bob));
        var unpinned = await phone.PinConversationAsync(Pin(bob, isPinned: false));

        Assert.Equal(1, pinned.Seq);
        Assert.Equal(2, unpinned.Seq);
        var expected = new MultiDeviceEvent
        {
            Seq = 1,
            Operation = MultiDeviceOperations.ConversationPinned,
            ConversationId = bob,
            ChatType = ChatTypes.SingleChat,
            Timestamp = pinned.PinnedTime!.Value,
            FromDeviceId = "phone",
            PinnedTime = pinned.PinnedTime,
            Epoch = pinned.Epoch,
        };
        foreach (var device in others)
        {
            var events = await device.WaitForEventsAsync(2);
            Assert.Equal(expected, events[0]);
            Assert.Equal((2L, MultiDeviceOperations.ConversationUnpinned, (long?)null), (events[1].Seq, events[1].Operation, events[1].PinnedTime));
        }

        await Recorder.SettleAsync();
        foreach (var device in others)
        {
            Assert.Equal([1L, 2L], device.RawEvents.Select(e => e.Seq));
        }

        Assert.Empty(origin.RawEvents);
        Assert.Empty(bystander.RawEvents);
        Assert.Equal(2, phone.LastSeq);
    }

    [Fact]
    public async Task A_message_between_users_on_different_nodes_reaches_both_sides()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var alicePhone = await _cluster.A.ConnectAsync(alice, "phone");
        await using var aliceLaptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone", RoamingHubProtocol.Json);
        var (laptop, bobs) = (new Recorder(aliceLaptop), new Recorder(bobPhone));

        var sent = await alicePhone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "across nodes" });

        var bobsEpoch = (await bobPhone.GetSyncStateAsync()).Epoch;
        Assert.Equal(sent with { ConversationId = alice, Seq = 1, Epoch = bobsEpoch }, (await bobs.WaitForMessagesAsync(1)).Single());
        Assert.Equal(sent, (await laptop.WaitForMessagesAsync(1)).Single());
        var bobsList = (await bobPhone.FetchConversationsAsync()).Data;
        Assert.Equal(sent with { ConversationId = alice, Seq = null, Epoch = null }, Assert.Single(bobsList).LastMessage);
    }

    [Fact]
    public async Task A_device_offline_for_five_events_gets_exactly_those_five_in_order_when_it_returns()
    {
        var alice = TestIds.User("alice");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await phone.PinConversationAsync(Pin("before"));
        long seenByLaptop;
        await using (var laptop = await _cluster.B.ConnectAsync(alice, "laptop"))
        {
            seenByLaptop = laptop.LastSeq;
        }

        var changes = new[] { Pin("p1"), Pin("p2"), Pin("p1", false), Pin("p3"), Pin("p2", false) };
        foreach (var change in changes)
        {
            await phone.PinConversationAsync(change);
        }

        var direct = await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seenByLaptop });
        Assert.Equal([2L, 3L, 4L, 5L, 6L], direct.Events.Select(e => e.Seq));
        Assert.Equal(changes.Select(c => (c.ConversationId, c.IsPinned)), direct.Events.Select(e => ((string?)e.ConversationId, e.Operation == MultiDeviceOperations.ConversationPinned)));
        Assert.False(direct.HasMore);

        await using var returned = await _cluster.B.ConnectAsync(alice, "laptop", initialSeq: seenByLaptop);
        var recorder = new Recorder(returned);
        var replayed = await recorder.WaitForEventsAsync(5);
        Assert.Equal(direct.Events, replayed);
        await Recorder.SettleAsync();
        Assert.Equal(5, recorder.Events.Count);
        Assert.Equal(5, returned.EventsRecovered);
        Assert.Equal(6, returned.LastSeq);
    }

    [Fact]
    public async Task A_device_behind_the_event_log_is_told_to_resync()
    {
        var alice = TestIds.User("alice");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        for (var i = 0; i < EventLogLength + 2; i++)
        {
            await phone.PinConversationAsync(Pin("peer", isPinned: i % 2 == 0));
        }

        var answer = await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 1 });
        Assert.True(answer.ResyncRequired);
        Assert.Empty(answer.Events);
        Assert.Equal(EventLogLength + 2, answer.LastSeq);

        var resync = new TaskCompletionSource<SyncEventsResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var token = await _cluster.B.IssueTokenAsync(alice);
        await using var stale = new RoamingHubClient(new RoamingHubClientOptions
        {
            ServerUrl = _cluster.B.BaseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
            InitialSeq = 1,
            AutomaticReconnect = false,
        });
        stale.ResyncRequired += r =>
        {
            resync.TrySetResult(r);
            return Task.CompletedTask;
        };
        await stale.StartAsync();

        var told = await resync.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(EventLogLength + 2, told.LastSeq);
        Assert.Equal(EventLogLength + 2, stale.LastSeq);
    }
}
