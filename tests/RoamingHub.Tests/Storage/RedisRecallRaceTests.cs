using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Two recalls in one chat whose chat and user steps interleave: the newer message's chat step answers the older one
/// as what to show instead, and the older one's user step runs before the newer one's, so it found the newer one still
/// the last message and left it. No participant is left with a recalled message as their last message.
/// </summary>
public sealed class RedisRecallRaceTests : RedisChatTests
{
    [Fact]
    public async Task A_user_step_whose_replacement_was_recalled_meanwhile_answers_stale_and_a_repeat_shows_the_newest_visible_message()
    {
        var context = new RedisStoreContext(RedisServer.Instance.Multiplexer, Microsoft.Extensions.Options.Options.Create(Options));
        var (c, b, a) = (await SendAsync("c", T0), await SendAsync("b", T0 + 1), await SendAsync("a", T0 + 2));

        // Chat step of a (it answers b), chat step of b (it answers c), the user steps of b, then those of a.
        var chatA = await RecallMessageScript.RunAsync(context, Alice, WithBob, a.MsgId, [Alice, Bob], T0 + 10);
        var chatB = await RecallMessageScript.RunAsync(context, Alice, WithBob, b.MsgId, [Alice, Bob], T0 + 10);
        Assert.Equal(2, chatA.Participants.Count);
        Assert.Equal(2, chatB.Participants.Count);
        Assert.All(chatA.Participants, participant => Assert.Equal(b.MsgId, participant.Newest?.MsgId));
        Assert.All(chatB.Participants, participant => Assert.Equal(c.MsgId, participant.Newest?.MsgId));
        var stepsOfB = await UserStepsAsync(context, b.MsgId, chatB);
        var stepsOfA = await UserStepsAsync(context, a.MsgId, chatA);

        Assert.Equal(2, stepsOfB.Length);
        Assert.Equal(2, stepsOfA.Length);
        Assert.All(stepsOfB, entry => Assert.True(entry?.Appended));
        Assert.All(stepsOfA, entry => Assert.Null(entry));
        // A stale step writes nothing: a is still shown and counted, and a's recall is in nobody's stream.
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((a, 2), (bobs.LastMessage, bobs.UnreadCount));

        var finished = await Store.Messages.RecallMessageAsync(Alice, WithBob, a.MsgId, Phone, T0 + 20, default);

        Assert.Null(finished.Failure);
        Assert.Equal([(Alice, true), (Bob, true)], finished.Entries.Select(e => (e.UserId, e.Appended)).OrderBy(e => e.UserId == Alice ? 0 : 1));
        bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((c, 1), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal(c, (await EntryAsync(Alice, Bob)).LastMessage);
    }

    [Fact]
    public async Task A_recall_whose_replacement_is_recalled_between_its_two_steps_finishes_with_the_newest_visible_message()
    {
        var (c, b, a) = (await SendAsync("c", T0), await SendAsync("b", T0 + 1), await SendAsync("a", T0 + 2));
        var chatSteps = 0;
        var racing = await AfterEachCallOfAsync("recall_message.lua", async () =>
        {
            // After the first chat step of a's recall (which answered b): all of b's recall, from another device.
            if (Interlocked.Increment(ref chatSteps) == 1)
            {
                await Store.Messages.RecallMessageAsync(Alice, WithBob, b.MsgId, "tablet", T0 + 10, default);
            }
        });

        var recalled = await racing.Messages.RecallMessageAsync(Alice, WithBob, a.MsgId, Phone, T0 + 10, default);

        Assert.Null(recalled.Failure);
        Assert.Equal(2, chatSteps);
        Assert.Equal([(Alice, true), (Bob, true)], recalled.Entries.Select(e => (e.UserId, e.Appended)).OrderBy(e => e.UserId == Alice ? 0 : 1));
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((c, 1), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal(c, (await EntryAsync(Alice, Bob)).LastMessage);
        var replayed = (await Store.Events.SyncEventsAsync(Bob, 0, 50, default)).Events
            .Where(e => e.Operation == MultiDeviceOperations.MessageRecalled).Select(e => e.MsgId);
        Assert.Equal([b.MsgId, a.MsgId], replayed);
    }

    [Fact]
    public async Task A_recall_that_keeps_losing_to_other_recalls_answers_unavailable_and_a_repeat_finishes_it()
    {
        var older = await SendEightOlderAsync();
        var a = await SendAsync("a", T0 + 10);
        var racing = await RecallTheNewestAfterEachCallOfAsync("recall_message.lua", older);

        var recalled = await racing.Messages.RecallMessageAsync(Alice, WithBob, a.MsgId, Phone, T0 + 20, default);

        Assert.Equal(ErrorCodes.Unavailable, Assert.IsType<RoamingException>(recalled.Failure).Code);
        Assert.Empty(recalled.Entries);
        Assert.Equal(2, older.Count);  // the first chat step and five more
        var repeat = await Store.Messages.RecallMessageAsync(Alice, WithBob, a.MsgId, Phone, T0 + 30, default);
        Assert.Null(repeat.Failure);
        Assert.Equal(2, repeat.Entries.Count);
        Assert.All(repeat.Entries, entry => Assert.True(entry.Appended));
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((older.Peek(), 2), (bobs.LastMessage, bobs.UnreadCount));
        Assert.Equal(older.Peek(), (await EntryAsync(Alice, Bob)).LastMessage);
    }

    [Fact]
    public async Task Many_pairs_of_concurrent_recalls_never_leave_a_recalled_message_as_anyones_last_message()
    {
        // Each pair: a chat with three messages, the newest two recalled at once from two devices. Where the recalls'
        // steps interleave, as they do when many run at once, a missing check shows a recalled message as the last one.
        const int Pairs = 60;
        var chats = await Task.WhenAll(Enumerable.Range(0, Pairs).Select(async i =>
        {
            var (from, to) = (TestIds.User("from"), TestIds.User("to"));
            var sent = new List<StoredMessage>();
            foreach (var body in new[] { "c", "b", "a" })
            {
                sent.Add((await Store.Messages.SendMessageAsync(
                    new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, from, to, "text", body, null), T0 + sent.Count, true, default)).Message);
            }

            return (From: from, To: to, Sent: sent);
        }));

        var recalls = chats.SelectMany((chat, i) =>
        {
            // Alternate which recall starts first, so both orders of the chat steps occur.
            string[] order = i % 2 == 0 ? [chat.Sent[2].MsgId, chat.Sent[1].MsgId] : [chat.Sent[1].MsgId, chat.Sent[2].MsgId];
            return order.Select(msgId => Task.Run(async () =>
                await Store.Messages.RecallMessageAsync(chat.From, new ConversationRef(ChatTypes.SingleChat, chat.To), msgId, "device-" + msgId, T0 + 10, default)));
        });
        var outcomes = await Task.WhenAll(recalls);

        Assert.All(outcomes, outcome => Assert.Null(outcome.Failure));
        foreach (var (from, to, sent) in chats)
        {
            var ofSender = await Store.Settings.GetConversationAsync(from, new ConversationRef(ChatTypes.SingleChat, to), T0 + 30, default);
            var ofRecipient = await Store.Settings.GetConversationAsync(to, new ConversationRef(ChatTypes.SingleChat, from), T0 + 30, default);
            Assert.Equal((sent[0], sent[0], 1), (ofSender?.LastMessage, ofRecipient?.LastMessage, ofRecipient?.UnreadCount));
        }
    }

    /// <summary>The user step of every participant the chat step answered, with the candidate it answered each.</summary>
    private async Task<StreamEntryRef?[]> UserStepsAsync(RedisStoreContext context, string msgId, RecallMessageScript.Reply chat) =>
        await Task.WhenAll(chat.Participants.Select(participant =>
        {
            var view = RecallViews.Of(WithBob, Alice, participant.UserId);
            var template = EventTemplate.Recalled(view, msgId, Phone, T0 + 10);
            return ApplyRecallScript.RunAsync(Db, context, participant.UserId, view, msgId, chat.Position, participant.Newest, template, T0 + 10);
        }));
}
