using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// A one-way deletion of the last message whose chat and user steps a recall runs between: the chat step answers the
/// message to show instead, the recall takes that one out and its user step, finding the hidden message still the last
/// one, leaves the entry alone. The deletion's user step must not then show the recalled message for good, whether it
/// deletes by id or by time.
/// </summary>
public sealed class RedisHidingRaceTests : RedisChatTests
{
    [Fact]
    public async Task A_deletion_whose_replacement_is_recalled_between_its_two_steps_shows_the_newest_visible_message()
    {
        var (c, b, a) = (await SendAsync("c", T0), await SendAsync("b", T0 + 1), await SendAsync("a", T0 + 2));
        // Bob's deletion of a answers b as the message to show; b is recalled before the deletion's user step.
        var race = await RecallAfterFirstChatStepAsync(b.MsgId);

        var hidden = await race.Racing.Messages.DeleteRemoteMessagesWithIdsAsync(Bob, WithAlice, [a.MsgId], Phone, T0 + 10, null, default);

        Assert.Null(Assert.IsType<RecallOutcome>(race.Recall).Failure);
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((c, 1), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal(2, race.ChatSteps);
        Assert.Equal([a.MsgId], hidden.MsgIds);
        Assert.Equal([a.MsgId], Assert.IsType<MultiDeviceEvent>(hidden.Event).MsgIds);
        // The deletion is logged once, with what its first chat step hid, after the recall that reached Bob first.
        var logged = (await Store.Events.SyncEventsAsync(Bob, 0, 50, default)).Events
            .Where(e => e.Operation is MultiDeviceOperations.DeleteRoaming or MultiDeviceOperations.MessageRecalled)
            .Select(e => e.Operation + " " + (e.MsgIds is { } ids ? string.Join(",", ids) : e.MsgId));
        Assert.Equal([MultiDeviceOperations.MessageRecalled + " " + b.MsgId, MultiDeviceOperations.DeleteRoaming + " " + a.MsgId], logged);
    }

    [Fact]
    public async Task A_deletion_by_time_whose_newest_left_is_recalled_between_its_two_steps_shows_no_recalled_message()
    {
        var (_, b, a) = (await SendAsync("c", T0), await SendAsync("b", T0 + 1), await SendAsync("a", T0 + 2));
        // Bob's deletion of c and b answers a, the newest left; a is recalled before the deletion's user step.
        var race = await RecallAfterFirstChatStepAsync(a.MsgId);

        var hidden = await race.Racing.Messages.DeleteRemoteMessagesBeforeAsync(Bob, WithAlice, b.Timestamp, Phone, T0 + 10, null, default);

        Assert.Null(Assert.IsType<RecallOutcome>(race.Recall).Failure);
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal<(StoredMessage?, int)>((null, 0), (bobs.LastMessage, bobs.UnreadCount));
        // A deletion by time hides the oldest messages, so the one Bob's list shows (a, until its recall cleared it) was
        // not among them: the user step repoints nothing, and the answer a, stale by then, is never shown or asked
        // for again.
        Assert.Equal(1, race.ChatSteps);
        Assert.Equal(b.Timestamp, hidden.BeforeTimestamp);
        Assert.Equal(b.Timestamp, Assert.IsType<MultiDeviceEvent>(hidden.Event).BeforeTimestamp);
        // History agrees: c and b hidden from Bob, a recalled.
        Assert.Empty((await Store.Messages.FetchHistoryMessagesAsync(Bob, WithAlice, new HistoryQuery(true, null, 20), T0 + 30, default)).Items);
    }

    [Fact]
    public async Task A_deletion_that_keeps_losing_to_recalls_answers_unavailable_and_a_repeat_finishes_it()
    {
        var older = await SendEightOlderAsync();
        var a = await SendAsync("a", T0 + 10);
        var racing = await RecallTheNewestAfterEachCallOfAsync("hide_messages.lua", older);

        var failed = await Assert.ThrowsAsync<RoamingException>(async () =>
            await racing.Messages.DeleteRemoteMessagesWithIdsAsync(Bob, WithAlice, [a.MsgId], Phone, T0 + 20, null, default));

        Assert.Equal(ErrorCodes.Unavailable, failed.Code);
        Assert.Equal(2, older.Count);  // the first chat step and five more
        // The stale user steps wrote nothing: a is still shown and counted (the recalls took their messages out).
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((a, 3), (bobs.LastMessage, bobs.UnreadCount));
        await Store.Messages.DeleteRemoteMessagesWithIdsAsync(Bob, WithAlice, [a.MsgId], Phone, T0 + 30, null, default);
        bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((older.Peek(), 2), (bobs.LastMessage, bobs.UnreadCount));
    }

    /// <summary>
    /// Stores on which a deletion's first chat step (<c>hide_messages.lua</c>) is followed by all of Alice's recall of
    /// <paramref name="recalledMsgId"/>, before the deletion goes on; every chat step is counted.
    /// </summary>
    private async Task<RecallRace> RecallAfterFirstChatStepAsync(string recalledMsgId)
    {
        var race = new RecallRace();
        race.Racing = await AfterEachCallOfAsync("hide_messages.lua", async () =>
        {
            if (Interlocked.Increment(ref race.ChatSteps) == 1)
            {
                race.Recall = await Store.Messages.RecallMessageAsync(Alice, WithBob, recalledMsgId, "tablet", T0 + 10, default);
            }
        });
        return race;
    }

    /// <summary>What <see cref="RecallAfterFirstChatStepAsync"/> set up and saw.</summary>
    private sealed class RecallRace
    {
        public int ChatSteps;

        public RecallOutcome? Recall { get; set; }

        public Stores Racing { get; set; } = null!;
    }
}
