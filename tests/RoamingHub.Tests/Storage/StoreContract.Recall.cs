using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>Recalling a message, for every store.</summary>
public abstract partial class StoreContract
{
    private const long RecallWindowMs = 120_000;

    private static async Task<List<MultiDeviceEvent>> EntriesAfterAsync(Stores store, string userId, long sinceSeq) =>
        [.. (await store.Events.SyncEventsAsync(userId, sinceSeq, 200, default)).Events];

    [Fact]
    public async Task A_recall_takes_the_message_out_of_history_lists_unread_and_replay_for_both_participants()
    {
        var store = Store();
        var first = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "first"), T0, true, default)).Message;
        var second = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "oops"), T0 + 10, true, default)).Message;
        Assert.Equal(2, (await EntryAsync(store, _bob, _alice)).UnreadCount);
        var (aliceBefore, bobBefore) = (await store.Events.GetLastSeqAsync(_alice, default), await store.Events.GetLastSeqAsync(_bob, default));

        var recalled = await store.Messages.RecallMessageAsync(_alice, With(_bob), second.MsgId, "phone", T0 + 1000, default);

        var epochOf = new Dictionary<string, string?>
        {
            [_alice] = (await store.Events.GetSyncStateAsync(_alice, T0, default)).Epoch,
            [_bob] = (await store.Events.GetSyncStateAsync(_bob, T0, default)).Epoch,
        };
        Assert.Equal(
            [
                new RecallEntry(_alice, Recalled(_bob, second.MsgId, aliceBefore + 1, epochOf[_alice]), true),
                new RecallEntry(_bob, Recalled(_alice, second.MsgId, bobBefore + 1, epochOf[_bob]), true),
            ],
            recalled.Entries.OrderBy(e => e.UserId == _alice ? 0 : 1));
        Assert.Equal([first], await WalkHistoryAsync(store, _alice, _bob, older: true, 20, T0 + 1000));
        Assert.Equal([first], await WalkHistoryAsync(store, _bob, _alice, older: false, 20, T0 + 1000));
        Assert.Null(await store.Messages.FindMessageAsync(_alice, With(_bob), second.MsgId, default));
        Assert.Equal(first, (await EntryAsync(store, _alice, _bob)).LastMessage);
        var bobs = await EntryAsync(store, _bob, _alice);
        Assert.Equal((first, 1), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal(new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 1, TotalUnreadUnmuted = 1 }, await store.Conversations.GetUnreadSummaryAsync(_bob, T0, default));

        // What the stream replays: the message's own entry no longer carries it, and the recall follows.
        var replay = await EntriesAfterAsync(store, _bob, bobBefore - 1);
        Assert.Equal(
            [(MultiDeviceOperations.Message, (string?)null, (string?)null), (MultiDeviceOperations.MessageRecalled, second.MsgId, (string?)null)],
            replay.Select(e => (e.Operation, e.MsgId, e.Message?.Body)));
    }

    [Fact]
    public async Task Recalling_again_within_the_window_or_after_it_appends_nothing_and_answers_the_first_entries()
    {
        var store = Store();
        var sent = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "oops"), T0, true, default)).Message;
        var first = await store.Messages.RecallMessageAsync(_alice, With(_bob), sent.MsgId, "phone", T0 + 1000, default);
        var (aliceSeq, bobSeq) = (await store.Events.GetLastSeqAsync(_alice, default), await store.Events.GetLastSeqAsync(_bob, default));

        var again = await store.Messages.RecallMessageAsync(_alice, With(_bob), sent.MsgId, "laptop", T0 + 2000, default);
        var late = await store.Messages.RecallMessageAsync(_alice, With(_bob), sent.MsgId, "laptop", T0 + RecallWindowMs + 1, default);

        Assert.Equal(
            first.Entries.Select(e => (e.UserId, e.Event.Seq, e.Event.Epoch, false)).Order(),
            again.Entries.Select(e => (e.UserId, e.Event.Seq, e.Event.Epoch, e.Appended)).Order());
        Assert.Equal(again.Entries.Select(e => (e.UserId, e.Event.Seq, e.Appended)).Order(), late.Entries.Select(e => (e.UserId, e.Event.Seq, e.Appended)).Order());
        Assert.Equal((aliceSeq, bobSeq), (await store.Events.GetLastSeqAsync(_alice, default), await store.Events.GetLastSeqAsync(_bob, default)));
    }

    [Fact]
    public async Task Only_the_sender_may_recall_and_only_within_the_window_and_an_unknown_message_is_not_found()
    {
        var store = Store();
        var sent = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "mine"), T0, true, default)).Message;

        var byPeer = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.RecallMessageAsync(_bob, With(_alice), sent.MsgId, "phone", T0 + 1, default).AsTask());
        var late = await Assert.ThrowsAsync<RoamingException>(
            () => store.Messages.RecallMessageAsync(_alice, With(_bob), sent.MsgId, "phone", T0 + RecallWindowMs + 1, default).AsTask());
        var unknown = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.RecallMessageAsync(_alice, With(_bob), "nosuchmessage", "phone", T0 + 1, default).AsTask());
        var elsewhere = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.RecallMessageAsync(_alice, With(_carol), sent.MsgId, "phone", T0 + 1, default).AsTask());

        Assert.Equal(
            [ErrorCodes.Forbidden, ErrorCodes.Forbidden, ErrorCodes.NotFound, ErrorCodes.NotFound],
            new[] { byPeer, late, unknown, elsewhere }.Select(e => e.Code));
        // Still there, and recallable at the window's last millisecond.
        Assert.Equal([sent], await WalkHistoryAsync(store, _bob, _alice, older: true, 20, T0 + 1));
        var atTheEdge = await store.Messages.RecallMessageAsync(_alice, With(_bob), sent.MsgId, "phone", T0 + RecallWindowMs, default);
        Assert.All(atTheEdge.Entries, entry => Assert.True(entry.Appended));
    }

    [Fact]
    public async Task A_recalled_message_that_is_not_the_last_leaves_the_last_alone_and_stops_counting_unread()
    {
        var store = Store();
        var early = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "early"), T0, true, default)).Message;
        var later = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "later"), T0 + 5, true, default)).Message;

        await store.Messages.RecallMessageAsync(_alice, With(_bob), early.MsgId, "phone", T0 + 10, default);

        var bobs = await EntryAsync(store, _bob, _alice);
        Assert.Equal((later, 0), (bobs.LastMessage, bobs.UnreadCount));
        var alices = await EntryAsync(store, _alice, _bob);
        Assert.Equal((later, 1), (alices.LastMessage, alices.UnreadCount));
    }

    [Fact]
    public async Task A_group_recall_reaches_every_member_and_each_last_message_is_what_that_member_still_sees()
    {
        var store = Store();
        await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _carol], T0, default);
        var hello = (await store.Messages.SendMessageAsync(GroupDraft(_bob, "hello"), T0 + 1, true, default)).Message;
        var oops = (await store.Messages.SendMessageAsync(GroupDraft(_alice, "oops"), T0 + 2, true, default)).Message;
        // Carol hid Bob's message from herself: once Alice's is recalled she has no message left to show.
        await store.Messages.DeleteRemoteMessagesWithIdsAsync(_carol, GroupChat, [hello.MsgId], "phone", T0 + 3, null, default);

        var recalled = await store.Messages.RecallMessageAsync(_alice, GroupChat, oops.MsgId, "phone", T0 + 4, default);

        Assert.Equal(new[] { _alice, _bob, _carol }.Order(StringComparer.Ordinal), recalled.Entries.Select(e => e.UserId).Order(StringComparer.Ordinal));
        Assert.All(recalled.Entries, entry => Assert.Equal(
            (MultiDeviceOperations.MessageRecalled, GroupId, ChatTypes.GroupChat, oops.MsgId, "phone", true),
            (entry.Event.Operation, entry.Event.ConversationId, entry.Event.ChatType, entry.Event.MsgId, entry.Event.FromDeviceId, entry.Appended)));
        Assert.Equal((hello, 1), ((await EntryAsync(store, _alice, GroupId)).LastMessage, (await EntryAsync(store, _alice, GroupId)).UnreadCount));
        Assert.Equal((hello, 0), ((await EntryAsync(store, _bob, GroupId)).LastMessage, (await EntryAsync(store, _bob, GroupId)).UnreadCount));
        Assert.Equal(((StoredMessage?)null, 0), ((await EntryAsync(store, _carol, GroupId)).LastMessage, (await EntryAsync(store, _carol, GroupId)).UnreadCount));
        Assert.Equal([hello], await WalkHistoryAsync(store, _bob, GroupChat, older: true, 20, T0 + 5));
        Assert.Equal(MultiDeviceOperations.MessageRecalled, (await EntriesAfterAsync(store, _carol, 0))[^1].Operation);

        var outsider = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.RecallMessageAsync(TestIds.User("dave"), GroupChat, oops.MsgId, "phone", T0 + 5, default).AsTask());
        Assert.Equal(ErrorCodes.Forbidden, outsider.Code);
    }

    [Fact]
    public async Task A_history_cursor_naming_a_message_recalled_since_keeps_its_place()
    {
        var store = Store();
        var sent = new List<StoredMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add((await store.Messages.SendMessageAsync(Draft(_alice, _bob, $"m{i}"), T0 + i, true, default)).Message);
        }

        var firstPage = await store.Messages.FetchHistoryMessagesAsync(_bob, With(_alice), new HistoryQuery(Older: true, null, 2), T0 + 10, default);
        Assert.Equal([sent[4], sent[3]], Decoded(firstPage));
        await store.Messages.RecallMessageAsync(_alice, With(_bob), sent[3].MsgId, "phone", T0 + 10, default);

        var next = await store.Messages.FetchHistoryMessagesAsync(_bob, With(_alice), new HistoryQuery(Older: true, firstPage.Next, 2), T0 + 10, default);
        var newer = await store.Messages.FetchHistoryMessagesAsync(_bob, With(_alice), new HistoryQuery(Older: false, sent[3].MsgId, 10), T0 + 10, default);

        Assert.Equal([sent[2], sent[1]], Decoded(next));
        Assert.Equal([sent[4]], Decoded(newer));
    }

    [Fact]
    public async Task A_send_repeated_with_its_clientMsgId_after_a_recall_answers_the_first_message_and_brings_it_back_nowhere()
    {
        var store = Store();
        var first = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "oops", clientMsgId: "c-recalled"), T0, true, default);
        await store.Messages.RecallMessageAsync(_alice, With(_bob), first.Message.MsgId, "phone", T0 + 10, default);
        var (aliceSeq, bobSeq) = (await store.Events.GetLastSeqAsync(_alice, default), await store.Events.GetLastSeqAsync(_bob, default));

        var repeat = await store.Messages.SendMessageAsync(Draft(_alice, _bob, "oops", clientMsgId: "c-recalled"), T0 + 20, true, default);

        Assert.True(repeat.Duplicate && repeat.Recalled);
        Assert.Equal(first.Message, repeat.Message);
        Assert.Equal(first.Entries[_bob].Seq, repeat.Entries[_bob].Seq);
        Assert.All(repeat.Entries.Values, entry => Assert.False(entry.Appended));
        Assert.Empty(await WalkHistoryAsync(store, _bob, _alice, older: true, 20, T0 + 20));
        var bobs = await EntryAsync(store, _bob, _alice);
        Assert.Equal(((StoredMessage?)null, 0), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal((aliceSeq, bobSeq), (await store.Events.GetLastSeqAsync(_alice, default), await store.Events.GetLastSeqAsync(_bob, default)));
    }

    private static MultiDeviceEvent Recalled(string conversationId, string msgId, long seq, string? epoch) => new()
    {
        Seq = seq,
        Epoch = epoch,
        Operation = MultiDeviceOperations.MessageRecalled,
        ConversationId = conversationId,
        ChatType = ChatTypes.SingleChat,
        Timestamp = T0 + 1000,
        FromDeviceId = "phone",
        MsgId = msgId,
    };
}
