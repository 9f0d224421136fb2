using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>History paging, one-way deletion and retention, for every store.</summary>
public abstract partial class StoreContract
{
    private static readonly long RetentionMs = (long)TimeSpan.FromDays(30).TotalMilliseconds;

    private static Task<List<StoredMessage>> WalkHistoryAsync(Stores store, string userId, string peer, bool older, int pageSize, long now, Func<Task>? betweenPages = null) =>
        WalkHistoryAsync(store, userId, With(peer), older, pageSize, now, betweenPages);

    private static async Task<List<StoredMessage>> WalkHistoryAsync(Stores store, string userId, ConversationRef conversation, bool older, int pageSize, long now, Func<Task>? betweenPages = null)
    {
        var all = new List<StoredMessage>();
        string? cursor = null;
        do
        {
            var page = await store.Messages.FetchHistoryMessagesAsync(userId, conversation, new HistoryQuery(older, cursor, pageSize), now, default);
            Assert.True(page.Items.Count <= pageSize);
            all.AddRange(Decoded(page));
            cursor = page.Next;
            if (betweenPages is not null)
            {
                await betweenPages();
            }
        }
        while (cursor is not null);
        return all;
    }

    private static List<StoredMessage> Decoded(HistoryPage page) => [.. page.Items.Select(m => m.Decode())];

    private async Task<List<StoredMessage>> SendBurstAsync(Stores store, int count, int perMillisecond)
    {
        var sent = new List<StoredMessage>(count);
        for (var i = 0; i < count; i++)
        {
            var (from, to) = i % 3 == 0 ? (_bob, _alice) : (_alice, _bob);
            sent.Add((await store.Messages.SendMessageAsync(Draft(from, to, $"m{i}"), T0 + (i / perMillisecond), true, default)).Message);
        }

        return sent;
    }

    [Fact]
    public async Task Paging_500_messages_sent_in_a_burst_is_exact_both_ways_with_hidden_ids_in_the_middle()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 500, perMillisecond: 100);
        var hidden = sent.Skip(200).Take(30).Concat(sent.Skip(347).Take(3)).Select(m => m.MsgId).ToList();
        for (var i = 0; i < hidden.Count; i += 11)
        {
            await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), hidden.Skip(i).Take(11).ToList(), "phone", T0 + 10, null, default);
        }

        var visible = sent.Where(m => !hidden.Contains(m.MsgId)).ToList();
        Assert.Equal(Enumerable.Reverse(visible), await WalkHistoryAsync(store, _alice, _bob, older: true, pageSize: 50, T0 + 10));
        Assert.Equal(visible, await WalkHistoryAsync(store, _alice, _bob, older: false, pageSize: 7, T0 + 10));
        Assert.Equal(Enumerable.Reverse(sent), await WalkHistoryAsync(store, _bob, _alice, older: true, pageSize: 50, T0 + 10));
        Assert.Equal(500, sent.Select(m => m.MsgId).Distinct().Count());
        Assert.True(sent.Zip(sent.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp));
    }

    [Fact]
    public async Task Paging_stays_exact_while_new_messages_arrive_and_cursors_are_stable()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 60, perMillisecond: 60);
        var arrivals = 0;
        async Task ArriveAsync()
        {
            var message = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, $"late{arrivals}"), T0, true, default)).Message;
            sent.Add(message);
            arrivals++;
        }

        var older = await WalkHistoryAsync(store, _alice, _bob, older: true, pageSize: 10, T0, ArriveAsync);
        Assert.Equal(Enumerable.Reverse(sent.Take(60)), older);

        var newer = await WalkHistoryAsync(store, _alice, _bob, older: false, pageSize: 10, T0, ArriveAsync);
        Assert.Equal(sent.Take(sent.Count - 1), newer.Take(sent.Count - 1));
        Assert.Equal(newer.Count, newer.Select(m => m.MsgId).Distinct().Count());

        var first = await store.Messages.FetchHistoryMessagesAsync(_alice, With(_bob), new HistoryQuery(true, sent[30].MsgId, 5), T0, default);
        var again = await store.Messages.FetchHistoryMessagesAsync(_alice, With(_bob), new HistoryQuery(true, sent[30].MsgId, 5), T0, default);
        Assert.Equal(sent.Skip(25).Take(5).Reverse(), Decoded(first));
        Assert.Equal(first.Next, again.Next);
        Assert.Equal(Decoded(first), Decoded(again));
    }

    [Fact]
    public async Task An_unknown_history_cursor_is_INVALID_ARGUMENT()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_alice, _bob, "x"), T0, true, default);

        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.FetchHistoryMessagesAsync(_alice, With(_bob), new HistoryQuery(true, "0123abcd", 20), T0, default).AsTask());
        Assert.Equal(ErrorCodes.InvalidArgument, error.Code);
    }

    [Fact]
    public async Task Deleting_before_a_time_hides_it_from_one_participant_only_and_never_moves_back()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 10, perMillisecond: 1);

        var hid = await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), sent[5].Timestamp, "phone", T0 + 100, null, default);
        var backwards = await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), sent[2].Timestamp, "phone", T0 + 101, null, default);

        Assert.Equal(sent[5].Timestamp, hid.BeforeTimestamp);
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 11,   // after the ten messages' entries
            Epoch = (await store.Events.GetSyncStateAsync(_alice, T0, default)).Epoch,
            Operation = MultiDeviceOperations.DeleteRoaming,
            ConversationId = _bob,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0 + 100,
            FromDeviceId = "phone",
            BeforeTimestamp = sent[5].Timestamp,
        }, hid.Event);
        Assert.Equal(new HideOutcome(sent[5].Timestamp, null, null), backwards);
        Assert.Equal(sent.Skip(6), await WalkHistoryAsync(store, _alice, _bob, older: false, 3, T0 + 200));
        Assert.Equal(sent, await WalkHistoryAsync(store, _bob, _alice, older: false, 3, T0 + 200));
        Assert.Equal(11, await store.Events.GetLastSeqAsync(_alice, default));   // ten messages, one deletion
        Assert.Equal(10, await store.Events.GetLastSeqAsync(_bob, default));
    }

    [Fact]
    public async Task Deleting_before_a_time_far_in_the_future_hides_everything_stored_so_far_and_nothing_after()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 3, perMillisecond: 1);

        var hid = await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), long.MaxValue, "phone", T0 + 10, null, default);
        var later = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "later"), T0 + 1, true, default)).Message;

        // The watermark stops at the chat's newest message, so a message stored afterwards stays visible even though
        // its node's clock (T0 + 1) is behind the time asked for and behind the caller's (T0 + 10).
        Assert.Equal(sent[^1].Timestamp, hid.BeforeTimestamp);
        Assert.Equal([later], await WalkHistoryAsync(store, _alice, _bob, older: true, 20, T0 + 10));
        Assert.Equal(4, (await WalkHistoryAsync(store, _bob, _alice, older: true, 20, T0 + 10)).Count);
    }

    [Fact]
    public async Task Deleting_by_ids_ignores_unknown_and_repeated_ids_and_the_list_shows_the_newest_visible_message()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 5, perMillisecond: 1);

        var first = await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [sent[4].MsgId, sent[3].MsgId, "deadbeef"], "phone", T0 + 100, null, default);
        var repeat = await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [sent[4].MsgId], "phone", T0 + 101, null, default);

        Assert.Equal([sent[4].MsgId, sent[3].MsgId], first.MsgIds);
        Assert.Equal([sent[4].MsgId, sent[3].MsgId], first.Event!.MsgIds);
        Assert.Equal((6L, MultiDeviceOperations.DeleteRoaming), (first.Event.Seq, first.Event.Operation));
        Assert.Empty(repeat.MsgIds!);
        Assert.Null(repeat.Event);
        var alices = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 100, default)).Items);
        Assert.Equal(sent[2], alices.LastMessage);
        var bobs = Assert.Single((await store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, null, 20, T0 + 100, default)).Items);
        Assert.Equal(sent[4], bobs.LastMessage);
        Assert.Equal(sent.Take(3), await WalkHistoryAsync(store, _alice, _bob, older: false, 20, T0 + 100));

        await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), T0 + 100, "phone", T0 + 102, null, default);
        alices = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 102, default)).Items);
        Assert.Null(alices.LastMessage);
        var newer = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "after"), T0 + 103, true, default)).Message;
        alices = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 103, default)).Items);
        Assert.Equal(newer, alices.LastMessage);
    }

    [Fact]
    public async Task Deleting_a_conversation_with_deleteRoam_hides_its_history_until_a_new_message_brings_it_back()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 4, perMillisecond: 1);
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0 + 10, null, default);

        var deleted = await store.Conversations.DeleteRemoteConversationAsync(_alice, With(_bob), deleteRoam: true, "phone", T0 + 20, null, default);

        Assert.Equal((6L, MultiDeviceOperations.ConversationDeleted, (bool?)true), (deleted.Seq, deleted.Operation, deleted.DeleteRoam));
        Assert.Empty((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 20, default)).Items);
        Assert.Empty((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, null, 20, T0 + 20, default)).Items);
        Assert.Empty(await WalkHistoryAsync(store, _alice, _bob, older: true, 20, T0 + 20));
        Assert.Equal(sent, await WalkHistoryAsync(store, _bob, _alice, older: false, 20, T0 + 20));
        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.DeleteRemoteConversationAsync(_alice, With(_bob), deleteRoam: true, "phone", T0 + 21, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, error.Code);

        var comeback = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "again"), T0 + 20, true, default)).Message;

        var entry = Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 30, default)).Items);
        Assert.Equal((comeback, (long?)null, T0 + 20), (entry.LastMessage, entry.PinnedTime, entry.CreatedTime));
        Assert.Equal([comeback], await WalkHistoryAsync(store, _alice, _bob, older: true, 20, T0 + 30));
    }

    [Fact]
    public async Task Deleting_a_conversation_without_deleteRoam_keeps_its_history()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 3, perMillisecond: 1);

        var deleted = await store.Conversations.DeleteRemoteConversationAsync(_alice, With(_bob), deleteRoam: false, "phone", T0 + 20, null, default);

        Assert.False(deleted.DeleteRoam);
        Assert.Empty((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 20, default)).Items);
        Assert.Equal(sent, await WalkHistoryAsync(store, _alice, _bob, older: false, 20, T0 + 20));
        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.DeleteRemoteConversationAsync(_alice, With(_carol), deleteRoam: false, "phone", T0, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task Messages_past_retention_are_gone_from_history_and_lists()
    {
        var store = Store();
        var old = await SendBurstAsync(store, 3, perMillisecond: 1);
        var later = T0 + RetentionMs + 10;

        Assert.Empty(await WalkHistoryAsync(store, _alice, _bob, older: true, 20, later));
        Assert.Null(Assert.Single((await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, later, default)).Items).LastMessage);
        var hideOld = await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [old[0].MsgId], "phone", later, null, default);
        Assert.Empty(hideOld.MsgIds!);

        var fresh = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "fresh"), later, true, default)).Message;
        Assert.Equal([fresh], await WalkHistoryAsync(store, _bob, _alice, older: true, 20, later));
    }

    [Fact]
    public async Task A_sent_message_is_found_by_its_id_for_either_participant_and_an_unknown_id_is_not()
    {
        var store = Store();
        var sent = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "find me"), T0, true, default)).Message;
        await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [sent.MsgId], "phone", T0 + 1, null, default);

        Assert.Equal(sent, await store.Messages.FindMessageAsync(_alice, With(_bob), sent.MsgId, default));
        Assert.Equal(sent, await store.Messages.FindMessageAsync(_bob, With(_alice), sent.MsgId, default));
        Assert.Null(await store.Messages.FindMessageAsync(_alice, With(_carol), sent.MsgId, default));
        Assert.Null(await store.Messages.FindMessageAsync(_alice, With(_bob), "unknown", default));
    }

    [Fact]
    public async Task A_server_side_message_goes_into_history_without_touching_the_lists()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_alice, _carol, "first"), T0, true, default);

        var notice = (await store.Messages.SendMessageAsync(Draft(_bob, _alice, "system notice"), T0 + 5, false, default)).Message;

        Assert.Equal([_carol], (await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 20, T0 + 5, default)).Items.Select(c => c.Conversation.Id));
        Assert.Empty((await store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, null, 20, T0 + 5, default)).Items);
        Assert.Equal([notice], await WalkHistoryAsync(store, _alice, _bob, older: true, 20, T0 + 5));
    }
}
