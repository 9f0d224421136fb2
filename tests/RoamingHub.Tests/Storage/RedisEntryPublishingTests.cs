using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Features;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The store scripts that publish their entry's push (<c>Scripts/lib/delivery.lua</c>): a pin's push leaves Redis in
/// the step that logs it, as a delivery message any node reads, with the entry's seq and epoch; a call that changes
/// nothing, or repeats an operation, publishes nothing (the repeat says so, and its node publishes); a store without a
/// publisher says it published nothing. On one Redis and on a cluster, where the script runs on the user's master.
/// </summary>
public sealed class RedisEntryPublishingTests
{
    private const string OriginNode = "node-of-this-test";

    public static TheoryData<string> Deployments => ["server", "cluster"];

    private sealed class Publisher(string prefix) : IEntryPublisher
    {
        public RedisChannel Channel { get; } = new DeliveryChannels(prefix).Deliver;

        public byte[] EntryHead(string method) => DeliveryProtocol.WriteEntryHead(OriginNode, method);

        public byte[] EntryTarget(string userId) => DeliveryProtocol.WriteEntryTarget(userId);
    }

    private static IConnectionMultiplexer Redis(string deployment) =>
        deployment == "cluster" ? RedisCluster.Instance.Multiplexer : RedisServer.Instance.Multiplexer;

    [Theory]
    [MemberData(nameof(Deployments))]
    public async Task A_pin_publishes_its_push_once_with_its_seq_and_epoch_and_a_repeat_or_a_no_op_publishes_nothing(string deployment)
    {
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() };
        var publisher = new Publisher(options.RedisKeyPrefix);
        var conversations = new RedisConversationStore(new RedisStoreContext(Redis(deployment), Options.Create(options), publisher));
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        var chat = ConversationRef.Parse(ChatTypes.SingleChat, bob, alice);
        await using var tap = await ChannelTap.StartAsync(Redis(deployment), publisher.Channel);

        var pinned = await conversations.PinConversationAsync(alice, chat, true, "phone", 1_000, "op-1", CancellationToken.None);
        var repeat = await conversations.PinConversationAsync(alice, chat, true, "phone", 1_000, "op-1", CancellationToken.None);
        var again = await conversations.PinConversationAsync(alice, chat, true, "phone", 2_000, null, CancellationToken.None);
        var unpinned = await conversations.PinConversationAsync(alice, chat, false, "phone", 3_000, null, CancellationToken.None);
        var published = await tap.SettledAsync(2);

        Assert.True(pinned.Published);
        Assert.True(unpinned.Published);
        // The repeat answers the first attempt's event but did not publish it: its node does.
        Assert.Equal(pinned.Event!.Seq, repeat.Event!.Seq);
        Assert.False(repeat.Published);
        Assert.Null(again.Event);
        var pushes = published.Select(message => Assert.Single(DeliveryProtocol.ReadUnlessFrom(message, "another node")!)).ToList();
        Assert.Equal(2, pushes.Count);
        Assert.All(published, message => Assert.Null(DeliveryProtocol.ReadUnlessFrom(message, OriginNode)));
        foreach (var (push, logged) in pushes.Zip([pinned.Event, unpinned.Event!]))
        {
            Assert.Equal(HubEvents.OnMultiDeviceEvent, push.Method);
            Assert.Null(push.ExceptConnectionId);
            var target = Assert.Single(push.Targets);
            Assert.Equal(new PushTarget(alice, logged.Seq, logged.Epoch), target);
            var received = (MultiDeviceEvent)push.PayloadFor(target);
            Assert.Equal(logged, received);
        }
    }

    [Fact]
    public async Task A_publish_Redis_refuses_leaves_the_pin_made_and_answered_and_says_it_was_not_published()
    {
        using var server = RedisServer.StartDedicated(durable: false);
        // A user allowed every key and command but no channel, so the script's PUBLISH is refused (NOPERM).
        await server.Multiplexer.GetDatabase().ExecuteAsync("ACL", "SETUSER", "nochannels", "on", ">not-a-real-secret", "~*", "resetchannels", "+@all");
        using var limited = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",user=nochannels,password=not-a-real-secret,configChannel=,abortConnect=false");
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() };
        var conversations = new RedisConversationStore(new RedisStoreContext(limited, Options.Create(options), new Publisher(options.RedisKeyPrefix)));
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        var chat = ConversationRef.Parse(ChatTypes.SingleChat, bob, alice);

        var pinned = await conversations.PinConversationAsync(alice, chat, true, "phone", 1_000, "op-1", CancellationToken.None);
        var repeat = await conversations.PinConversationAsync(alice, chat, true, "phone", 1_000, "op-1", CancellationToken.None);

        Assert.Equal(MultiDeviceOperations.ConversationPinned, pinned.Event?.Operation);
        Assert.False(pinned.Published);
        Assert.Equal(pinned.Event!.Seq, repeat.Event?.Seq);
        Assert.NotNull(await limited.GetDatabase().SortedSetScoreAsync(new RedisKeys(options.RedisKeyPrefix).Pins(alice), chat.Member));
    }

    [Fact]
    public async Task A_call_without_the_delivery_inputs_is_refused_by_name_before_it_writes()
    {
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() };
        var store = new RedisStoreContext(RedisServer.Instance.Multiplexer, Options.Create(options));
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        var chat = ConversationRef.Parse(ChatTypes.SingleChat, bob, alice);
        var template = RoamingHub.Server.Storage.EventTemplate.For(MultiDeviceOperations.ConversationPinned, chat, "phone", 1_000);

        // The nine inputs the script took before it published: the three delivery inputs are missing.
        var error = await Assert.ThrowsAsync<RedisServerException>(() => RedisScript.Get("pin_conversation.lua").RunAsync(
            store.Db, store.Keys.UserScriptKeys(alice, chat.Member),
            [chat.Member, "1", "1000", 100, 1000, store.UserBounds(1_000), RoamingHub.Server.Storage.Redis.RedisProtocol.WriteEvent(template), "", ""]));

        Assert.Contains("ERR argument delivery_channel is missing", error.Message, StringComparison.Ordinal);
        Assert.False(await store.Db.KeyExistsAsync(store.Keys.Pins(alice)));
        Assert.False(await store.Db.KeyExistsAsync(store.Keys.EventSeq(alice)));
    }

    [Fact]
    public async Task A_store_without_a_publisher_logs_the_pin_and_answers_that_it_published_nothing()
    {
        // Its scripts get no channel, so there is nothing to listen on: what can go wrong is a store that claims to have
        // published, after which no node would.
        var options = new RoamingOptions { RedisKeyPrefix = TestIds.Prefix() };
        var conversations = new RedisConversationStore(new RedisStoreContext(RedisServer.Instance.Multiplexer, Options.Create(options)));
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));

        var pinned = await conversations.PinConversationAsync(alice, ConversationRef.Parse(ChatTypes.SingleChat, bob, alice), true, "phone", 1_000, null, CancellationToken.None);

        Assert.Equal(MultiDeviceOperations.ConversationPinned, pinned.Event?.Operation);
        Assert.False(pinned.Published);
    }
}
