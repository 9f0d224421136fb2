using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>Unread counts, read state and extension fields, for every store.</summary>
public abstract partial class StoreContract
{
    private static async Task<ConversationEntry> EntryAsync(Stores store, string userId, string conversationId, long now = T0 + 1000)
    {
        var all = await ReadAllAsync(store, userId, ConversationList.Active, 50, now);
        return all.Single(c => c.Conversation.Id == conversationId);
    }

    private static async Task<List<ConversationEntry>> ReadAllAsync(Stores store, string userId, ConversationList list, int pageSize, long now)
    {
        var all = new List<ConversationEntry>();
        ListCursor? cursor = null;
        do
        {
            var page = await store.Conversations.FetchConversationsAsync(userId, "device", list, cursor, pageSize, now, default);
            all.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);
        return all;
    }

    [Fact]
    public async Task Unread_counts_messages_from_others_and_reading_leaves_what_came_after()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 9, perMillisecond: 1);   // every third from bob

        Assert.Equal(3, (await EntryAsync(store, _alice, _bob)).UnreadCount);
        Assert.Equal(6, (await EntryAsync(store, _bob, _alice)).UnreadCount);
        Assert.Equal(new UnreadSummary { TotalUnread = 6, ConversationsWithUnread = 1, TotalUnreadUnmuted = 6 }, await store.Conversations.GetUnreadSummaryAsync(_bob, T0, default));

        var read = await store.Conversations.MarkConversationReadAsync(_bob, With(_alice), sent[4].Timestamp, "phone", T0 + 100, null, default);

        Assert.Equal((sent[4].Timestamp, 3), (read.ReadTimestamp, read.UnreadCount));
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 10,   // after the nine messages' entries
            Epoch = (await store.Events.GetSyncStateAsync(_bob, T0, default)).Epoch,
            Operation = MultiDeviceOperations.ConversationRead,
            ConversationId = _alice,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0 + 100,
            FromDeviceId = "phone",
            ReadTimestamp = sent[4].Timestamp,
        }, read.Event);
        Assert.NotNull(read.PeerEntry);
        Assert.Equal(3, (await EntryAsync(store, _bob, _alice)).UnreadCount);
        Assert.Equal(sent[4].Timestamp, (await EntryAsync(store, _alice, _bob)).PeerReadTimestamp);
        Assert.Equal(new UnreadSummary { TotalUnread = 3, ConversationsWithUnread = 1, TotalUnreadUnmuted = 3 }, await store.Conversations.GetUnreadSummaryAsync(_bob, T0, default));

        var backwards = await store.Conversations.MarkConversationReadAsync(_bob, With(_alice), sent[1].Timestamp, "phone", T0 + 101, null, default);
        Assert.Equal((sent[4].Timestamp, 3, (MultiDeviceEvent?)null, (StreamEntryRef?)null), (backwards.ReadTimestamp, backwards.UnreadCount, backwards.Event, backwards.PeerEntry));

        var all = await store.Conversations.MarkConversationReadAsync(_bob, With(_alice), T0 + 200, "phone", T0 + 200, null, default);
        Assert.Equal(0, all.UnreadCount);
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_bob, T0, default));
        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.MarkConversationReadAsync(_bob, With(_carol), T0, "phone", T0, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task A_caller_whose_clock_is_ahead_reads_only_what_the_chat_holds_so_later_messages_count_as_unread()
    {
        var store = Store();
        const long Ahead = T0 + 3_600_000;   // a node an hour ahead of the others
        var first = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "first"), T0, true, default)).Message;

        var read = await store.Conversations.MarkConversationReadAsync(_bob, With(_alice), Ahead, "phone", Ahead, null, default);
        var second = (await store.Messages.SendMessageAsync(Draft(_alice, _bob, "second"), T0 + 1, true, default)).Message;

        Assert.Equal((first.Timestamp, first.Timestamp), (read.ReadTimestamp, read.Event?.ReadTimestamp));
        var entry = await EntryAsync(store, _bob, _alice);
        Assert.Equal((second, 1), (entry.LastMessage, entry.UnreadCount));
        Assert.Equal(first.Timestamp, (await EntryAsync(store, _alice, _bob)).PeerReadTimestamp);

        var all = await store.Conversations.MarkAllConversationsReadAsync(_bob, "phone", Ahead, null, default);
        await store.Messages.SendMessageAsync(Draft(_alice, _bob, "third"), T0 + 2, true, default);

        Assert.Equal(second.Timestamp, all.PeerEntries[_alice].ReadTimestamp);
        Assert.Equal(second.Timestamp, (await EntryAsync(store, _alice, _bob)).PeerReadTimestamp);

        Assert.Equal(1, (await EntryAsync(store, _bob, _alice)).UnreadCount);
        Assert.Equal(new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 1, TotalUnreadUnmuted = 1 }, await store.Conversations.GetUnreadSummaryAsync(_bob, T0 + 2, default));
    }

    [Fact]
    public async Task Counts_stay_exact_through_concurrent_sends_from_several_peers_while_the_reader_reads()
    {
        var store = Store();
        var peers = Enumerable.Range(0, 4).Select(i => $"{_bob}-{i}").ToList();
        var reads = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                foreach (var peer in peers)
                {
                    try
                    {
                        await store.Conversations.MarkConversationReadAsync(_alice, With(peer), T0 + 10_000, "phone", T0 + i, null, default);
                    }
                    catch (RoamingException e) when (e.Code == ErrorCodes.NotFound)
                    {
                        // The conversation's first message has not arrived yet.
                    }
                }
            }
        });
        var sends = peers.Select(peer => Task.Run(async () =>
        {
            for (var i = 0; i < 25; i++)
            {
                await store.Messages.SendMessageAsync(Draft(peer, _alice, $"{i}"), T0 + i, true, default);
            }
        }));
        await Task.WhenAll(sends.Append(reads));

        // Everything was sent before T0 + 10000; read up to there, then new messages count from zero.
        foreach (var peer in peers)
        {
            await store.Conversations.MarkConversationReadAsync(_alice, With(peer), T0 + 10_000, "phone", T0 + 10_000, null, default);
            Assert.Equal(0, (await EntryAsync(store, _alice, peer)).UnreadCount);
        }

        await Task.WhenAll(peers.Select(peer => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                await store.Messages.SendMessageAsync(Draft(peer, _alice, $"late{i}"), T0 + 20_000 + i, true, default);
            }
        })));
        foreach (var peer in peers)
        {
            Assert.Equal(10, (await EntryAsync(store, _alice, peer, T0 + 30_000)).UnreadCount);
        }

        Assert.Equal(new UnreadSummary { TotalUnread = 40, ConversationsWithUnread = 4, TotalUnreadUnmuted = 40 }, await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
    }

    [Fact]
    public async Task One_way_deletions_and_a_repeated_send_lower_or_keep_the_count_and_never_below_zero()
    {
        var store = Store();
        var fromBob = new List<StoredMessage>();
        for (var i = 0; i < 6; i++)
        {
            fromBob.Add((await store.Messages.SendMessageAsync(Draft(_bob, _alice, $"{i}", clientMsgId: $"c{i}"), T0 + i, true, default)).Message);
        }

        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "0", clientMsgId: "c0"), T0 + 50, true, default);
        Assert.Equal(6, (await EntryAsync(store, _alice, _bob)).UnreadCount);

        await store.Messages.DeleteRemoteMessagesWithIdsAsync(_alice, With(_bob), [fromBob[5].MsgId, fromBob[4].MsgId], "phone", T0 + 60, null, default);
        Assert.Equal(4, (await EntryAsync(store, _alice, _bob)).UnreadCount);
        await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), fromBob[1].Timestamp, "phone", T0 + 61, null, default);
        Assert.Equal(2, (await EntryAsync(store, _alice, _bob)).UnreadCount);
        await store.Messages.DeleteRemoteMessagesBeforeAsync(_alice, With(_bob), T0 + 100, "phone", T0 + 62, null, default);
        Assert.Equal(0, (await EntryAsync(store, _alice, _bob)).UnreadCount);
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
        await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 100, "phone", T0 + 100, null, default);
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
    }

    [Fact]
    public async Task Mark_all_read_zeroes_every_conversation_and_tells_single_chat_peers()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "1"), T0, true, default);
        await store.Messages.SendMessageAsync(Draft(_carol, _alice, "2"), T0 + 1, true, default);
        await store.Messages.SendMessageAsync(Draft(_alice, "dave", "3"), T0 + 2, true, default);

        var outcome = await store.Conversations.MarkAllConversationsReadAsync(_alice, "phone", T0 + 10, null, default);

        Assert.Equal((MultiDeviceOperations.AllConversationsRead, (long?)(T0 + 10), 4L), (outcome.Event.Operation, outcome.Event.ReadTimestamp, outcome.Event.Seq));
        // Each peer learns the time of the newest message read in their chat, not the time of the call.
        Assert.Equal([(_bob, T0), (_carol, T0 + 1)], outcome.PeerEntries.Select(p => (p.Key, p.Value.ReadTimestamp)).Order());
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
        Assert.All(await ReadAllAsync(store, _alice, ConversationList.Active, 20, T0 + 10), c => Assert.Equal(0, c.UnreadCount));
        Assert.Equal(T0, (await EntryAsync(store, _bob, _alice)).PeerReadTimestamp);
        Assert.Equal(T0 + 1, (await EntryAsync(store, _carol, _alice)).PeerReadTimestamp);
        Assert.Null((await EntryAsync(store, "dave", _alice)).PeerReadTimestamp);
    }

    [Fact]
    public async Task The_extension_field_is_kept_per_user_and_logged_when_it_changes()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_alice, _bob, "x"), T0, true, default);

        var set = await store.Conversations.UpdateConversationExtAsync(_alice, With(_bob), "{\"draft\":\"hi\"}", "phone", T0 + 1, null, default);
        var same = await store.Conversations.UpdateConversationExtAsync(_alice, With(_bob), "{\"draft\":\"hi\"}", "phone", T0 + 2, null, default);

        Assert.Equal((2L, MultiDeviceOperations.ConversationExtUpdated, "{\"draft\":\"hi\"}"), (set!.Seq, set.Operation, set.Ext));
        Assert.Null(same);
        Assert.Equal("{\"draft\":\"hi\"}", (await EntryAsync(store, _alice, _bob)).Ext);
        Assert.Null((await EntryAsync(store, _bob, _alice)).Ext);

        var cleared = await store.Conversations.UpdateConversationExtAsync(_alice, With(_bob), null, "phone", T0 + 3, null, default);
        Assert.Equal((3L, (string?)null), (cleared!.Seq, cleared.Ext));
        Assert.Null((await EntryAsync(store, _alice, _bob)).Ext);
        var error = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.UpdateConversationExtAsync(_alice, With(_carol), "x", "phone", T0, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, error.Code);
    }

    [Fact]
    public async Task An_evicted_or_deleted_conversation_takes_its_unread_count_and_state_with_it()
    {
        var store = Store(o => { o.MaxConversationsPerUser = 2; o.MaxPinnedConversations = 1; });
        await store.Messages.SendMessageAsync(Draft("p1", _alice, "1"), T0 + 1, true, default);
        await store.Conversations.UpdateConversationExtAsync(_alice, With("p1"), "note", "phone", T0 + 2, null, default);
        await store.Messages.SendMessageAsync(Draft("p2", _alice, "2"), T0 + 3, true, default);
        await store.Messages.SendMessageAsync(Draft("p3", _alice, "3"), T0 + 4, true, default);

        Assert.Equal(new UnreadSummary { TotalUnread = 2, ConversationsWithUnread = 2, TotalUnreadUnmuted = 2 }, await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
        await store.Messages.SendMessageAsync(Draft("p1", _alice, "again"), T0 + 5, true, default);
        var back = await EntryAsync(store, _alice, "p1");
        Assert.Equal((1, (string?)null), (back.UnreadCount, back.Ext));

        await store.Conversations.DeleteRemoteConversationAsync(_alice, With("p1"), deleteRoam: false, "phone", T0 + 6, null, default);
        Assert.Equal(new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 1, TotalUnreadUnmuted = 1 }, await store.Conversations.GetUnreadSummaryAsync(_alice, T0, default));
    }
}
