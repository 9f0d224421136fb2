using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The behaviour every store must have. Each concrete store runs this whole suite: the in-memory store that
/// <c>dotnet run</c> uses and the Redis store on a real redis-server.
/// </summary>
public abstract partial class StoreContract
{
    private const long T0 = 1_790_000_000_000;

    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");
    private readonly string _carol = TestIds.User("carol");

    internal abstract Stores CreateStore(RoamingOptions options);

    private Stores Store(Action<RoamingOptions>? configure = null)
    {
        var options = new RoamingOptions();
        configure?.Invoke(options);
        return CreateStore(options);
    }

    private static ConversationRef With(string userId) => new(ChatTypes.SingleChat, userId);

    private static MessageDraft Draft(string from, string to, string body, string? clientMsgId = null) =>
        new(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, from, to, "text", body, clientMsgId);

    [Fact]
    public async Task Send_stores_the_message_once_and_puts_the_conversation_first_in_both_lists()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_alice, _carol, "earlier"), T0, true, default);
        var (message, duplicate, participants, _, recalled) = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "hi bob"), T0 + 5, true, default);

        Assert.False(duplicate || recalled);
        Assert.Equal([_alice, _bob], participants);
        Assert.Equal(T0 + 5, message.Timestamp);
        var alices = (await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0, default)).Items;
        Assert.Equal([_bob, _carol], alices.Select(c => c.Conversation.Id));
        Assert.Equal(message, alices[0].LastMessage);
        Assert.Equal(T0 + 5, alices[0].ActivityTime);
        Assert.Equal(T0 + 5, alices[0].CreatedTime);

        var bobs = (await store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, null, 20, T0, default)).Items;
        var only = Assert.Single(bobs);
        Assert.Equal(_alice, only.Conversation.Id);
        Assert.Equal(message, only.LastMessage);
    }

    [Fact]
    public async Task Repeated_clientMsgId_returns_the_first_message_and_stores_nothing_new()
    {
        var store = Store();
        var first = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "once", clientMsgId: "c-1"), T0, true, default);
        var retry = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "once", clientMsgId: "c-1"), T0 + 100, true, default);
        var otherSender = await store.Messages.SendMessageAsync(Draft(_bob, _alice, "mine", clientMsgId: "c-1"), T0 + 200, true, default);

        Assert.False(first.Duplicate);
        Assert.True(retry.Duplicate);
        Assert.Equal(first.Message, retry.Message);
        Assert.False(otherSender.Duplicate);
        var bobs = (await store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, null, 20, T0, default)).Items;
        Assert.Equal(otherSender.Message, Assert.Single(bobs).LastMessage);
    }

    [Fact]
    public async Task Messages_in_one_millisecond_keep_their_order_and_the_newest_is_last()
    {
        var store = Store();
        StoredMessage? last = null;
        for (var i = 0; i < 50; i++)
        {
            last = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, $"m{i}"), T0, true, default)).Message;
        }

        var entry = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0, default)).Items);
        Assert.Equal("m49", entry.LastMessage!.Body);
        Assert.Equal(last, entry.LastMessage);
    }

    [Fact]
    public async Task Pin_creates_a_missing_conversation_and_logs_an_event_with_the_next_seq()
    {
        var store = Store();
        var pinned = await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, null, default);

        Assert.True(pinned.IsPinned);
        Assert.Equal(T0, pinned.PinnedTime);
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 1,
            Operation = MultiDeviceOperations.ConversationPinned,
            ConversationId = _bob,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0,
            FromDeviceId = "phone",
            PinnedTime = T0,
            Epoch = (await store.Events.GetSyncStateAsync(_alice, T0, default)).Epoch,
        }, pinned.Event);

        var entry = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0, default)).Items);
        Assert.Equal(new ConversationEntry(With(_bob), T0, T0, T0, null), entry);
        Assert.Equal(1, await store.Events.GetLastSeqAsync(_alice, default));
        Assert.Equal(0, await store.Events.GetLastSeqAsync(_bob, default));
    }

    [Fact]
    public async Task Pinning_what_is_pinned_and_unpinning_what_is_not_change_nothing_and_log_nothing()
    {
        var store = Store();
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, null, default);

        var again = await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "laptop", T0 + 10, null, default);
        var unpinNothing = await store.Conversations.PinConversationAsync(_alice, With(_carol), pinned: false, "laptop", T0 + 20, null, default);

        Assert.Equal(new PinOutcome(true, T0, null), again);
        Assert.Equal(new PinOutcome(false, null, null), unpinNothing);
        Assert.Equal(1, await store.Events.GetLastSeqAsync(_alice, default));
        Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0, default)).Items);
    }

    [Fact]
    public async Task Unpin_logs_an_event_and_leaves_the_conversation_in_the_list()
    {
        var store = Store();
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, null, default);
        var unpinned = await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: false, "laptop", T0 + 10, null, default);

        Assert.False(unpinned.IsPinned);
        Assert.Null(unpinned.PinnedTime);
        Assert.Equal(2, unpinned.Event!.Seq);
        Assert.Equal(MultiDeviceOperations.ConversationUnpinned, unpinned.Event.Operation);
        Assert.Null(unpinned.Event.PinnedTime);
        Assert.Empty((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, null, 20, T0, default)).Items);
        var entry = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0, default)).Items);
        Assert.Null(entry.PinnedTime);
    }

    [Fact]
    public async Task Pins_beyond_the_limit_are_refused_with_PIN_LIMIT_EXCEEDED_and_change_nothing()
    {
        var store = Store(o => o.MaxPinnedConversations = 3);
        for (var i = 0; i < 3; i++)
        {
            await store.Conversations.PinConversationAsync(_alice, With($"peer{i}"), pinned: true, "phone", T0 + i, null, default);
        }

        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.PinConversationAsync(_alice, With("peer3"), pinned: true, "phone", T0 + 10, null, default).AsTask());

        Assert.Equal(ErrorCodes.PinLimitExceeded, error.Code);
        Assert.Equal(3, await store.Events.GetLastSeqAsync(_alice, default));
        Assert.Equal(3, (await ReadAllAsync(store, _alice, ConversationList.Active, 20, T0)).Count);
    }

    [Fact]
    public async Task Beyond_the_conversation_limit_the_least_recently_active_unpinned_conversation_leaves()
    {
        var store = Store(o => { o.MaxConversationsPerUser = 3; o.MaxPinnedConversations = 2; });
        await store.Messages.SendMessageAsync(Draft(_alice, "p1", "1"), T0 + 1, true, default);
        await store.Messages.SendMessageAsync(Draft(_alice, "p2", "2"), T0 + 2, true, default);
        await store.Messages.SendMessageAsync(Draft(_alice, "p3", "3"), T0 + 3, true, default);
        await store.Conversations.PinConversationAsync(_alice, With("p1"), pinned: true, "phone", T0 + 4, null, default);

        await store.Messages.SendMessageAsync(Draft(_alice, "p4", "4"), T0 + 5, true, default);

        var ids = (await ReadAllAsync(store, _alice, ConversationList.Active, 20, T0)).Select(c => c.Conversation.Id);
        Assert.Equal(["p4", "p3", "p1"], ids);
        var p2 = (await ReadAllAsync(store, "p2", ConversationList.Active, 20, T0)).Single();
        Assert.Equal("2", p2.LastMessage!.Body);
    }

    [Fact]
    public async Task A_conversation_without_messages_sorts_by_its_creation_time()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_alice, "old", "x"), T0, true, default);
        await store.Conversations.PinConversationAsync(_alice, With("pinned-later"), pinned: true, "phone", T0 + 50, null, default);
        await store.Messages.SendMessageAsync(Draft(_alice, "new", "y"), T0 + 100, true, default);

        var ids = (await ReadAllAsync(store, _alice, ConversationList.Active, 20, T0)).Select(c => c.Conversation.Id);
        Assert.Equal(["new", "pinned-later", "old"], ids);
    }

    [Fact]
    public async Task Walking_all_pages_returns_each_conversation_exactly_once_while_activity_reorders_the_list()
    {
        var store = Store();
        for (var i = 0; i < 25; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, $"peer{i:D2}", "x"), T0 + i, true, default);
        }

        var seen = new List<string>();
        var page = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 10, T0, default);
        seen.AddRange(page.Items.Select(c => c.Conversation.Id));

        // peer00 (not yet returned) becomes the most active, and a new conversation starts, mid-walk.
        await store.Messages.SendMessageAsync(Draft("peer00", _alice, "bump"), T0 + 1000, true, default);
        await store.Messages.SendMessageAsync(Draft(_alice, "newcomer", "x"), T0 + 1001, true, default);
        while (page.Next is not null)
        {
            page = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, page.Next, 10, T0, default);
            seen.AddRange(page.Items.Select(c => c.Conversation.Id));
        }

        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"peer{i:D2}"), seen);
        var fresh = await ReadAllAsync(store, _alice, ConversationList.Active, 10, T0);
        Assert.Equal(["newcomer", "peer00", "peer24"], fresh.Take(3).Select(c => c.Conversation.Id));
        Assert.Equal("bump", fresh[1].LastMessage!.Body);
    }

    [Fact]
    public async Task The_pinned_list_is_most_recently_pinned_first_and_pages_by_cursor()
    {
        var store = Store();
        for (var i = 0; i < 5; i++)
        {
            await store.Conversations.PinConversationAsync(_alice, With($"peer{i}"), pinned: true, "phone", T0 + i, null, default);
        }

        var first = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, null, 3, T0, default);
        var second = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, first.Next, 3, T0, default);

        Assert.Equal(["peer4", "peer3", "peer2"], first.Items.Select(c => c.Conversation.Id));
        Assert.Equal(["peer1", "peer0"], second.Items.Select(c => c.Conversation.Id));
        Assert.Equal([T0 + 1, T0], second.Items.Select(c => c.PinnedTime!.Value));
        Assert.Null(second.Next);
    }

    [Fact]
    public async Task A_new_walk_on_a_device_replaces_its_last_while_other_devices_walks_go_on()
    {
        var store = Store();
        for (var i = 0; i < 5; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, $"peer{i}", "x"), T0 + i, true, default);
        }

        var first = await store.Conversations.FetchConversationsAsync(_alice, "phone", ConversationList.Active, null, 2, T0, default);
        var laptop = await store.Conversations.FetchConversationsAsync(_alice, "laptop", ConversationList.Active, null, 2, T0, default);
        await store.Conversations.FetchConversationsAsync(_alice, "phone", ConversationList.Active, null, 2, T0, default);

        var stale = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.FetchConversationsAsync(_alice, "phone", ConversationList.Active, first.Next, 2, T0, default).AsTask());
        var elsewhere = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.FetchConversationsAsync(_alice, "tablet", ConversationList.Active, laptop.Next, 2, T0, default).AsTask());
        var next = await store.Conversations.FetchConversationsAsync(_alice, "laptop", ConversationList.Active, laptop.Next, 2, T0, default);

        Assert.Equal(ErrorCodes.InvalidArgument, stale.Code);
        Assert.Equal(ErrorCodes.InvalidArgument, elsewhere.Code);
        Assert.Equal(["peer2", "peer1"], next.Items.Select(c => c.Conversation.Id));
    }

    [Fact]
    public async Task A_cursor_from_another_users_walk_is_refused()
    {
        var store = Store();
        for (var i = 0; i < 3; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, $"peer{i}", "x"), T0 + i, true, default);
        }

        var alicesPage = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 2, T0, default);

        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, alicesPage.Next, 2, T0, default).AsTask());
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Events_replay_in_order_after_a_seq_and_page_with_hasMore()
    {
        var store = Store();
        for (var i = 0; i < 5; i++)
        {
            await store.Conversations.PinConversationAsync(_alice, With($"peer{i}"), pinned: true, $"device{i}", T0 + i, null, default);
        }

        var firstTwo = await store.Events.SyncEventsAsync(_alice, 1, 2, default);
        var rest = await store.Events.SyncEventsAsync(_alice, 3, 100, default);
        var none = await store.Events.SyncEventsAsync(_alice, 5, 100, default);

        Assert.Equal([2L, 3L], firstTwo.Events.Select(e => e.Seq));
        Assert.Equal(["peer1", "peer2"], firstTwo.Events.Select(e => e.ConversationId));
        Assert.True(firstTwo.HasMore);
        Assert.Equal(5, firstTwo.LastSeq);
        Assert.Equal([4L, 5L], rest.Events.Select(e => e.Seq));
        Assert.Equal("device4", rest.Events[^1].FromDeviceId);
        Assert.False(rest.HasMore);
        Assert.Empty(none.Events);
        Assert.False(none.ResyncRequired);
    }

    [Fact]
    public async Task A_seq_older_than_the_log_keeps_answers_resyncRequired_never_a_silent_gap()
    {
        var store = Store(o => o.EventLogLength = 10);
        for (var i = 0; i < 14; i++)
        {
            await store.Conversations.PinConversationAsync(_alice, With("peer"), pinned: i % 2 == 0, "phone", T0 + i, null, default);
        }

        var tooOld = await store.Events.SyncEventsAsync(_alice, 3, 100, default);
        var oldestKept = await store.Events.SyncEventsAsync(_alice, 4, 100, default);
        var ahead = await store.Events.SyncEventsAsync(_alice, 20, 100, default);

        Assert.True(tooOld.ResyncRequired);
        Assert.Empty(tooOld.Events);
        Assert.Equal(14, tooOld.LastSeq);
        Assert.False(oldestKept.ResyncRequired);
        Assert.Equal(Enumerable.Range(5, 10).Select(i => (long)i), oldestKept.Events.Select(e => e.Seq));
        Assert.True(ahead.ResyncRequired);
    }
}
