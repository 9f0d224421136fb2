using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>One conversation read alone, mute, the unread mark and marks, for every store.</summary>
public abstract partial class StoreContract
{
    private const int Bit1 = 1 << 1;
    private const int Bit5 = 1 << 5;
    private const int Bit19 = 1 << 19;

    private static async Task<List<ConversationEntry>> ReadMarkedAsync(Stores store, string userId, int mark, int pageSize, long now, Func<Task>? betweenPages = null)
    {
        var all = new List<ConversationEntry>();
        ListCursor? cursor = null;
        do
        {
            var page = await store.Settings.FetchMarkedConversationsAsync(userId, "device", mark, cursor, pageSize, now, default);
            all.AddRange(page.Items);
            cursor = page.Next;
            if (cursor is not null && betweenPages is not null)
            {
                await betweenPages();
            }
        }
        while (cursor is not null);
        return all;
    }

    private async Task<MultiDeviceEvent> LastEventAsync(Stores store, string userId)
    {
        var last = await store.Events.GetLastSeqAsync(userId, default);
        return Assert.Single((await store.Events.SyncEventsAsync(userId, last - 1, 1, default)).Events);
    }

    [Fact]
    public async Task Get_conversation_answers_the_entry_a_page_of_the_list_shows_and_null_for_one_not_in_the_list()
    {
        var store = Store();
        var sent = await SendBurstAsync(store, 6, perMillisecond: 1);
        await store.Conversations.PinConversationAsync(_alice, With(_bob), pinned: true, "phone", T0 + 100, null, default);
        await store.Conversations.UpdateConversationExtAsync(_alice, With(_bob), "draft", "phone", T0 + 101, null, default);
        await store.Conversations.MarkConversationReadAsync(_bob, With(_alice), sent[2].Timestamp, "phone", T0 + 102, null, default);
        await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, T0 + 5000, "phone", T0 + 103, null, default);
        await store.Settings.SetConversationMarksAsync(_alice, With(_bob), Bit1 | Bit19, 0, "phone", T0 + 104, null, default);
        await store.Settings.MarkConversationUnreadAsync(_alice, With(_bob), "phone", T0 + 105, null, default);

        var listed = await EntryAsync(store, _alice, _bob, T0 + 200);
        var alone = await store.Settings.GetConversationAsync(_alice, With(_bob), T0 + 200, default);

        Assert.Equal(listed, alone);
        Assert.Equal(((long?)(T0 + 100), "draft", (long?)sent[2].Timestamp), (alone!.PinnedTime, alone.Ext, alone.PeerReadTimestamp));
        Assert.Equal(new ConversationSettings(true, T0 + 5000, true, Bit1 | Bit19), alone.Settings);
        Assert.Equal(await EntryAsync(store, _bob, _alice, T0 + 200), await store.Settings.GetConversationAsync(_bob, With(_alice), T0 + 200, default));
        Assert.Null(await store.Settings.GetConversationAsync(_alice, With(_carol), T0 + 200, default));
        Assert.Null(await store.Settings.GetConversationAsync(_carol, With(_alice), T0 + 200, default));
    }

    [Fact]
    public async Task Muting_creates_a_missing_conversation_logs_each_change_once_and_a_timed_mute_ends_by_itself()
    {
        var store = Store();
        var muted = await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, null, "phone", T0, null, default);

        Assert.Equal((true, (long?)null), (muted.Muted, muted.MutedUntil));
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 1,
            Operation = MultiDeviceOperations.ConversationMuted,
            ConversationId = _bob,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0,
            FromDeviceId = "phone",
            Epoch = (await store.Events.GetSyncStateAsync(_alice, T0, default)).Epoch,
        }, muted.Event);
        Assert.Equal(new ConversationEntry(With(_bob), T0, T0, null, null, Settings: new ConversationSettings(Muted: true)), await EntryAsync(store, _alice, _bob, T0));

        var again = await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, null, "laptop", T0 + 1, null, default);
        Assert.Equal(new MuteOutcome(true, null, null), again);

        var timed = await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, T0 + 1000, "phone", T0 + 2, null, default);
        Assert.Equal((true, (long?)(T0 + 1000), 2L, (long?)(T0 + 1000)), (timed.Muted, timed.MutedUntil, timed.Event!.Seq, timed.Event.MutedUntil));
        Assert.Equal(new MuteOutcome(true, T0 + 1000, null), await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, T0 + 1000, "phone", T0 + 3, null, default));

        // Once the mute has ended, unmuting changes nothing, and muting again is a change.
        Assert.False((await EntryAsync(store, _alice, _bob, T0 + 1000)).Settings!.MutedAt(T0 + 1000));
        Assert.Equal(new MuteOutcome(false, null, null), await store.Settings.SetConversationMutedAsync(_alice, With(_bob), false, null, "phone", T0 + 1000, null, default));
        var unmuted = await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, null, "phone", T0 + 1001, null, default);
        Assert.Equal(3, unmuted.Event!.Seq);
        var off = await store.Settings.SetConversationMutedAsync(_alice, With(_bob), false, null, "phone", T0 + 1002, null, default);
        Assert.Equal((false, MultiDeviceOperations.ConversationUnmuted, 4L), (off.Muted, off.Event!.Operation, off.Event.Seq));
        Assert.Null((await EntryAsync(store, _alice, _bob, T0 + 1003)).Settings);
        Assert.Equal(4, await store.Events.GetLastSeqAsync(_alice, default));

        var error = await Assert.ThrowsAsync<RoamingException>(() =>
            store.Settings.SetConversationMutedAsync(_alice, ConversationRef.Group(GroupId), true, null, "phone", T0 + 1004, null, default).AsTask());
        Assert.Equal(ErrorCodes.Forbidden, error.Code);
        var ended = await Assert.ThrowsAsync<RoamingException>(() =>
            store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, T0 + 1004, "phone", T0 + 1004, null, default).AsTask());
        Assert.Equal(ErrorCodes.InvalidArgument, ended.Code);
        Assert.StartsWith("mutedUntil", ended.Message, StringComparison.Ordinal);
        Assert.Equal(4, await store.Events.GetLastSeqAsync(_alice, default));
    }

    [Fact]
    public async Task A_mute_that_has_ended_is_dropped_whenever_the_conversation_settings_are_written()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "hi"), T0, true, default);
        await store.Messages.SendMessageAsync(Draft(_carol, _alice, "hi"), T0, true, default);
        await store.Settings.SetConversationMutedAsync(_alice, With(_bob), true, T0 + 1000, "phone", T0 + 1, null, default);
        await store.Settings.SetConversationMutedAsync(_alice, With(_carol), true, T0 + 1000, "phone", T0 + 1, null, default);

        await store.Settings.SetConversationMarksAsync(_alice, With(_bob), Bit1, 0, "phone", T0 + 2000, null, default);
        await store.Settings.MarkConversationUnreadAsync(_alice, With(_carol), "phone", T0 + 2001, null, default);

        Assert.Equal(new ConversationSettings(Marks: Bit1), (await EntryAsync(store, _alice, _bob, T0 + 2002)).Settings);
        Assert.Equal(new ConversationSettings(MarkedUnread: true), (await EntryAsync(store, _alice, _carol, T0 + 2002)).Settings);
        await store.Conversations.MarkConversationReadAsync(_alice, With(_carol), T0 + 2003, "phone", T0 + 2003, null, default);
        Assert.Null((await EntryAsync(store, _alice, _carol, T0 + 2004)).Settings);
    }

    [Fact]
    public async Task Muted_conversations_still_count_unread_but_leave_the_unmuted_total_while_the_mute_holds()
    {
        var store = Store();
        await SendBurstAsync(store, 9, perMillisecond: 1);   // bob gets six from alice
        await store.Messages.SendMessageAsync(Draft(_carol, _bob, "hi"), T0 + 20, true, default);
        await store.Settings.SetConversationMutedAsync(_bob, With(_alice), true, T0 + 1000, "phone", T0 + 30, null, default);

        Assert.Equal(
            new UnreadSummary { TotalUnread = 7, ConversationsWithUnread = 2, TotalUnreadUnmuted = 1 },
            await store.Conversations.GetUnreadSummaryAsync(_bob, T0 + 999, default));
        Assert.Equal(6, (await EntryAsync(store, _bob, _alice, T0 + 999)).UnreadCount);
        Assert.Equal(
            new UnreadSummary { TotalUnread = 7, ConversationsWithUnread = 2, TotalUnreadUnmuted = 7 },
            await store.Conversations.GetUnreadSummaryAsync(_bob, T0 + 1000, default));
    }

    [Fact]
    public async Task A_conversation_marked_unread_counts_once_and_reading_clears_the_mark_with_an_event_even_where_the_read_point_stays()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "read me"), T0, true, default);
        await store.Messages.SendMessageAsync(Draft(_carol, _alice, "and me"), T0 + 1, true, default);
        await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 10, "phone", T0 + 10, null, default);
        var missing = await Assert.ThrowsAsync<RoamingException>(() => store.Settings.MarkConversationUnreadAsync(_alice, With("nobody"), "phone", T0, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, missing.Code);

        var marked = await store.Settings.MarkConversationUnreadAsync(_alice, With(_bob), "phone", T0 + 20, null, default);
        var carols = await store.Settings.MarkConversationUnreadAsync(_alice, With(_carol), "phone", T0 + 21, null, default);

        Assert.Equal((MultiDeviceOperations.ConversationMarkedUnread, _bob, "phone"), (marked!.Operation, marked.ConversationId, marked.FromDeviceId));
        Assert.Equal(marked, Assert.Single((await store.Events.SyncEventsAsync(_alice, marked.Seq - 1, 1, default)).Events));
        Assert.Null(await store.Settings.MarkConversationUnreadAsync(_alice, With(_bob), "laptop", T0 + 22, null, default));
        var entry = await EntryAsync(store, _alice, _bob);
        Assert.Equal((0, true), (entry.UnreadCount, entry.Settings!.MarkedUnread));
        Assert.Equal(
            new UnreadSummary { TotalUnread = 1, ConversationsWithUnread = 2, TotalUnreadUnmuted = 1 },
            await store.Conversations.GetUnreadSummaryAsync(_alice, T0 + 30, default));

        // The read point does not move (bob's message was read), but the mark goes and the other devices hear of it.
        var read = await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 10, "phone", T0 + 40, null, default);
        Assert.Equal(MultiDeviceOperations.ConversationRead, read.Event!.Operation);
        Assert.Equal(carols!.Seq + 1, read.Event.Seq);
        Assert.Null((await EntryAsync(store, _alice, _bob)).Settings);
        Assert.Null((await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 10, "phone", T0 + 41, null, default)).Event);

        await store.Conversations.MarkAllConversationsReadAsync(_alice, "phone", T0 + 50, null, default);
        Assert.Null((await EntryAsync(store, _alice, _carol)).Settings);
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_alice, T0 + 60, default));
    }

    [Fact]
    public async Task A_read_that_only_clears_the_unread_mark_logs_the_read_point_where_it_stays()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "read me"), T0 + 5, true, default);
        await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0 + 5, "phone", T0 + 10, null, default);
        await store.Settings.MarkConversationUnreadAsync(_alice, With(_bob), "phone", T0 + 20, null, default);
        var bobsLast = await store.Events.GetLastSeqAsync(_bob, default);

        var cleared = await store.Conversations.MarkConversationReadAsync(_alice, With(_bob), T0, "laptop", T0 + 30, null, default);

        Assert.Equal((T0 + 5, (long?)(T0 + 5)), (cleared.ReadTimestamp, cleared.Event!.ReadTimestamp));
        Assert.Equal(cleared.Event, await LastEventAsync(store, _alice));
        Assert.Null(cleared.PeerEntry);
        Assert.Equal(bobsLast, await store.Events.GetLastSeqAsync(_bob, default));
    }

    [Fact]
    public async Task Marks_change_by_adding_and_removing_and_each_change_is_logged_once_with_the_new_marks()
    {
        var store = Store();
        await store.Messages.SendMessageAsync(Draft(_bob, _alice, "hi"), T0, true, default);
        var missing = await Assert.ThrowsAsync<RoamingException>(() => store.Settings.SetConversationMarksAsync(_alice, With(_carol), Bit1, 0, "phone", T0, null, default).AsTask());
        Assert.Equal(ErrorCodes.NotFound, missing.Code);

        var set = await store.Settings.SetConversationMarksAsync(_alice, With(_bob), Bit5 | Bit1, 0, "phone", T0 + 1, null, default);
        Assert.Equal(Bit1 | Bit5, set.Marks);
        Assert.Equal(new MultiDeviceEvent
        {
            Seq = 2,
            Operation = MultiDeviceOperations.ConversationMarksUpdated,
            ConversationId = _bob,
            ChatType = ChatTypes.SingleChat,
            Timestamp = T0 + 1,
            FromDeviceId = "phone",
            Marks = [1, 5],
            Epoch = (await store.Events.GetSyncStateAsync(_alice, T0, default)).Epoch,
        }, set.Event);
        Assert.Equal(set.Event, await LastEventAsync(store, _alice));

        Assert.Equal(new MarksOutcome(Bit1 | Bit5, null), await store.Settings.SetConversationMarksAsync(_alice, With(_bob), Bit5, Bit19, "phone", T0 + 2, null, default));
        var changed = await store.Settings.SetConversationMarksAsync(_alice, With(_bob), Bit19 | Bit1, Bit1 | Bit5, "phone", T0 + 3, null, default);
        Assert.Equal((Bit19, 3L), (changed.Marks, changed.Event!.Seq));
        Assert.Equal([19], changed.Event.Marks!);
        Assert.Equal(new ConversationSettings(Marks: Bit19), (await EntryAsync(store, _alice, _bob)).Settings);
        var cleared = await store.Settings.SetConversationMarksAsync(_alice, With(_bob), 0, Bit19, "phone", T0 + 4, null, default);
        Assert.Equal(0, cleared.Marks);
        Assert.Empty(cleared.Event!.Marks!);
        Assert.Null((await EntryAsync(store, _alice, _bob)).Settings);
        Assert.Empty(await ReadMarkedAsync(store, _alice, 19, 20, T0 + 5));
    }

    [Fact]
    public async Task The_conversations_of_a_mark_come_newest_activity_first_and_a_walk_sees_each_exactly_once()
    {
        var store = Store();
        for (var i = 0; i < 7; i++)
        {
            await store.Messages.SendMessageAsync(Draft($"peer{i}", _alice, "x"), T0 + i, true, default);
            await store.Settings.SetConversationMarksAsync(_alice, With($"peer{i}"), i % 2 == 0 ? Bit5 : Bit1, 0, "phone", T0 + 100, null, default);
        }

        await store.Settings.SetConversationMarksAsync(_alice, With("peer3"), Bit5, 0, "phone", T0 + 101, null, default);
        // A message moves a conversation to the top of each of its marks.
        await store.Messages.SendMessageAsync(Draft("peer2", _alice, "bump"), T0 + 200, true, default);

        var fives = await ReadMarkedAsync(store, _alice, 5, 20, T0 + 300);
        Assert.Equal(["peer2", "peer6", "peer4", "peer3", "peer0"], fives.Select(c => c.Conversation.Id));
        Assert.Equal([T0 + 200, T0 + 6, T0 + 4, T0 + 3, T0], fives.Select(c => c.ActivityTime));
        Assert.Equal("bump", fives[0].LastMessage!.Body);
        Assert.Equal(["peer5", "peer3", "peer1"], (await ReadMarkedAsync(store, _alice, 1, 20, T0 + 300)).Select(c => c.Conversation.Id));
        Assert.Empty(await ReadMarkedAsync(store, _alice, 0, 20, T0 + 300));

        // Between pages every conversation of mark 5 gets a message and peer4 is deleted: the walk keeps its order.
        var bump = 0;
        var walked = await ReadMarkedAsync(store, _alice, 5, 2, T0 + 400, async () =>
        {
            foreach (var peer in new[] { "peer0", "peer3", "peer6", "peer2" })
            {
                await store.Messages.SendMessageAsync(Draft(peer, _alice, "again"), T0 + 1000 + bump++, true, default);
            }

            if (bump == 4)
            {
                await store.Conversations.DeleteRemoteConversationAsync(_alice, With("peer4"), false, "phone", T0 + 1500, null, default);
            }
        });
        Assert.Equal(["peer2", "peer6", "peer3", "peer0"], walked.Select(c => c.Conversation.Id));
        Assert.Equal(["peer2", "peer6", "peer3", "peer0"], (await ReadMarkedAsync(store, _alice, 5, 20, T0 + 2000)).Select(c => c.Conversation.Id));

        // A conversation deleted and brought back by a new message has no marks.
        await store.Messages.SendMessageAsync(Draft("peer4", _alice, "back"), T0 + 3000, true, default);
        Assert.Null((await EntryAsync(store, _alice, "peer4", T0 + 3001)).Settings);
        Assert.DoesNotContain("peer4", (await ReadMarkedAsync(store, _alice, 5, 20, T0 + 3001)).Select(c => c.Conversation.Id));
    }

    [Fact]
    public async Task A_walk_of_a_mark_leaves_out_a_conversation_that_lost_the_mark_between_pages()
    {
        var store = Store();
        for (var i = 0; i < 4; i++)
        {
            await store.Messages.SendMessageAsync(Draft($"peer{i}", _alice, "x"), T0 + i, true, default);
            await store.Settings.SetConversationMarksAsync(_alice, With($"peer{i}"), Bit5, 0, "phone", T0 + 100, null, default);
        }

        // The first page holds peer3 and peer2; peer1 loses the mark before the second page is read.
        var unmarked = false;
        var walked = await ReadMarkedAsync(store, _alice, 5, 2, T0 + 200, async () =>
        {
            if (!unmarked)
            {
                unmarked = true;
                await store.Settings.SetConversationMarksAsync(_alice, With("peer1"), Bit1, Bit5, "phone", T0 + 201, null, default);
            }
        });

        Assert.Equal(["peer3", "peer2", "peer0"], walked.Select(c => c.Conversation.Id));
    }

    [Fact]
    public async Task A_conversation_evicted_from_a_full_list_leaves_its_marks_and_settings_behind()
    {
        var store = Store(o => (o.MaxConversationsPerUser, o.MaxPinnedConversations) = (3, 2));
        for (var i = 0; i < 3; i++)
        {
            await store.Messages.SendMessageAsync(Draft($"peer{i}", _alice, "x"), T0 + i, true, default);
        }

        await store.Settings.SetConversationMarksAsync(_alice, With("peer0"), Bit1, 0, "phone", T0 + 10, null, default);
        await store.Settings.MarkConversationUnreadAsync(_alice, With("peer0"), "phone", T0 + 11, null, default);
        await store.Messages.SendMessageAsync(Draft("peer3", _alice, "x"), T0 + 20, true, default);

        Assert.Empty(await ReadMarkedAsync(store, _alice, 1, 20, T0 + 30));
        Assert.Empty(await store.MarkedIndex(_alice));
        Assert.Equal(
            new UnreadSummary { TotalUnread = 3, ConversationsWithUnread = 3, TotalUnreadUnmuted = 3 },
            await store.Conversations.GetUnreadSummaryAsync(_alice, T0 + 30, default));
        await store.Messages.SendMessageAsync(Draft("peer0", _alice, "back"), T0 + 40, true, default);
        Assert.Null((await EntryAsync(store, _alice, "peer0", T0 + 41)).Settings);
    }
}
