using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>Each user's stream: messages and read acknowledgements beside the events, epochs and replay, for every store.</summary>
public abstract partial class StoreContract
{
    private const long Day = 24 * 60 * 60 * 1000;

    private static async Task<SyncEventsResult> ReplayAsync(Stores store, string userId, long now = T0 + 1000, long since = 0, int limit = 200, string? epoch = null) =>
        await store.Events.SyncEventsAsync(userId, since, epoch, limit, now, default);

    [Fact]
    public async Task A_message_is_one_entry_in_each_participants_stream_and_a_retry_appends_none()
    {
        var store = Store();
        var first = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "once", clientMsgId: "c-1"), T0, true, default);
        var retry = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "once", clientMsgId: "c-1"), T0 + 10, true, default);
        var (alices, bobs) = (await store.Events.GetSyncStateAsync(_alice, T0, default), await store.Events.GetSyncStateAsync(_bob, T0, default));

        Assert.Equal(new StreamEntryRef(1, alices.Epoch!), first.Entries[_alice]);
        Assert.Equal(new StreamEntryRef(1, bobs.Epoch!), first.Entries[_bob]);
        // The retry answers the same entries, and says it appended none of them, so it pushes nothing.
        Assert.Equal(first.Entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value with { Appended = false })), retry.Entries.OrderBy(e => e.Key).Select(e => (e.Key, e.Value)));
        Assert.Equal((1L, 1L), (alices.LastSeq, bobs.LastSeq));
        var atBob = Assert.Single((await ReplayAsync(store, _bob)).Events);
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 1,
            Epoch = bobs.Epoch,
            Operation = MultiDeviceOperations.Message,
            ConversationId = _alice,
            ChatType = ChatTypes.SingleChat,
            Timestamp = first.Message.Timestamp,
            Message = first.Message.ToWire(_bob) with { Seq = 1, Epoch = bobs.Epoch },
        }, atBob);
    }

    [Fact]
    public async Task A_group_message_is_an_entry_of_every_member_and_a_message_that_leaves_lists_alone_is_one_too()
    {
        var store = Store();
        var group = TestIds.User("team");
        await store.Groups.CreateGroupAsync(group, _alice, [_bob, _carol], T0, default);

        var sent = await store.Messages.SendMessageAsync(new MessageDraft("g-1", ChatTypes.GroupChat, _bob, group, "text", "hi", null), T0 + 1, true, default);
        var notice = await store.Messages.SendMessageAsync(Draft(_carol, _alice, "notice"), T0 + 2, updateConversations: false, default);

        Assert.Equal([_alice, _bob, _carol], sent.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.All(sent.Entries.Values, entry => Assert.Equal(1, entry.Seq));
        Assert.Equal((2L, 2L), (notice.Entries[_alice].Seq, notice.Entries[_carol].Seq));
        var alices = (await ReplayAsync(store, _alice)).Events;
        Assert.Equal([(group, "g-1"), (_carol, notice.Message.MsgId)], alices.Select(e => (e.ConversationId, e.Message!.MsgId)));
        Assert.DoesNotContain(_carol, (await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 3, default)).Items.Select(c => c.Conversation.Id));
    }

    [Fact]
    public async Task A_read_that_moves_the_peers_view_is_a_PEER_READ_entry_in_the_peers_stream()
    {
        var store = Store();
        var sent = await store.Messages.SendMessageAsync(Draft(_bob, _alice, "read me"), T0, true, default);

        var read = await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), sent.Message.Timestamp, "phone", T0 + 5, default);
        var again = await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), sent.Message.Timestamp, "phone", T0 + 6, default);

        var bobs = await store.Events.GetSyncStateAsync(_bob, T0, default);
        Assert.Equal(new StreamEntryRef(2, bobs.Epoch!), read.PeerEntry);
        Assert.Null(again.PeerEntry);
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 2,
            Epoch = bobs.Epoch,
            Operation = MultiDeviceOperations.PeerRead,
            ConversationId = _alice,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0 + 5,
            ReadTimestamp = sent.Message.Timestamp,
        }, (await ReplayAsync(store, _bob, since: 1)).Events.Single());
    }

    [Fact]
    public async Task Replay_mixes_messages_and_events_in_seq_order_and_keeps_the_seq_of_a_message_gone_past_retention()
    {
        var store = Store(o => { o.MessageRetentionDays = 1; o.EventLogRetention = TimeSpan.FromDays(3); });
        var sent = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "soon gone"), T0, true, default);
        await store.Conversations.PinConversationAsync(_bob, With(_alice), pinned: true, "phone", T0 + 1, default);

        var fresh = await ReplayAsync(store, _bob, now: T0 + 2);
        // A day on the message is past retention; bob, active a day ago, is not past his lifetime (two days here).
        var later = await ReplayAsync(store, _bob, now: T0 + Day + 60_000);

        Assert.Equal([(1L, MultiDeviceOperations.Message), (2L, MultiDeviceOperations.ConversationPinned)], fresh.Events.Select(e => (e.Seq, e.Operation)));
        Assert.Equal(sent.Message.MsgId, fresh.Events[0].Message!.MsgId);
        Assert.Equal((1L, (Message?)null), (later.Events[0].Seq, later.Events[0].Message));
        Assert.Equal(fresh.Events[1], later.Events[1]);
        Assert.False(later.ResyncRequired);
    }

    [Fact]
    public async Task Replay_does_not_serve_a_message_the_user_hid_but_keeps_its_seq_and_the_peer_still_gets_it()
    {
        var store = Store();
        var early = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "early"), T0, true, default)).Message;
        var byId = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "hidden by id"), T0 + 10, true, default)).Message;
        var kept = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "kept"), T0 + 20, true, default)).Message;
        await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), early.Timestamp, "phone", T0 + 30, default);
        await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [byId.MsgId], "phone", T0 + 31, default);

        var atAlice = (await ReplayAsync(store, _alice)).Events.Where(e => e.Operation == MultiDeviceOperations.Message).ToList();
        var atBob = (await ReplayAsync(store, _bob)).Events.Where(e => e.Operation == MultiDeviceOperations.Message).ToList();

        Assert.Equal([1L, 2L, 3L], atAlice.Select(e => e.Seq));
        Assert.Equal([null, null, kept.MsgId], atAlice.Select(e => e.Message?.MsgId));
        Assert.Equal([early.MsgId, byId.MsgId, kept.MsgId], atBob.Select(e => e.Message?.MsgId));
    }

    [Fact]
    public async Task Replay_pages_by_count_and_by_bytes()
    {
        var store = Store();
        var big = new string('x', 100 * 1024);
        for (var i = 0; i < 3; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, _bob, big), T0 + i, true, default);
        }

        await store.Conversations.PinConversationAsync(_bob, With(_alice), pinned: true, "phone", T0 + 5, default);

        var byBytes = await ReplayAsync(store, _bob);
        var rest = await ReplayAsync(store, _bob, since: 2);
        var byCount = await ReplayAsync(store, _bob, since: 2, limit: 1);

        // Two 100 KiB messages fit the 256 KiB page, a third does not.
        Assert.Equal([1L, 2L], byBytes.Events.Select(e => e.Seq));
        Assert.True(byBytes.HasMore);
        Assert.Equal([3L, 4L], rest.Events.Select(e => e.Seq));
        Assert.False(rest.HasMore);
        Assert.Equal([3L], byCount.Events.Select(e => e.Seq));
        Assert.True(byCount.HasMore);
        Assert.Equal(4, byCount.LastSeq);
    }

    [Fact]
    public async Task Another_epoch_answers_resyncRequired_with_the_current_one()
    {
        var store = Store();
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, default);
        var state = await store.Events.GetSyncStateAsync(_alice, T0, default);

        var same = await ReplayAsync(store, _alice, epoch: state.Epoch);
        var other = await ReplayAsync(store, _alice, epoch: "another-epoch");

        Assert.False(string.IsNullOrEmpty(state.Epoch));
        Assert.Equal((false, 1, state.Epoch), (same.ResyncRequired, same.Events.Count, same.Epoch));
        Assert.Equal((true, 1L, state.Epoch, 0), (other.ResyncRequired, other.LastSeq, other.Epoch, other.Events.Count));
    }

    [Fact]
    public async Task Entries_older_than_the_retention_leave_the_stream_and_a_device_behind_them_must_resync()
    {
        var store = Store(o => o.EventLogRetention = TimeSpan.FromHours(1));
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0, default);
        await store.Conversations.PinConversationAsync(_alice, With(_carol), pinned: true, "phone", T0 + (2 * 60 * 60 * 1000), default);

        var behind = await ReplayAsync(store, _alice, now: T0 + (2 * 60 * 60 * 1000));
        var current = await ReplayAsync(store, _alice, now: T0 + (2 * 60 * 60 * 1000), since: 1);

        Assert.Equal((true, 2L), (behind.ResyncRequired, behind.LastSeq));
        Assert.Equal([2L], current.Events.Select(e => e.Seq));
    }
}
