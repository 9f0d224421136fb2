using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// A recall whose step for one participant failed (Redis refused it with WRONGTYPE: their stream's dedupe key was
/// given the wrong type) is finished by a repeat of the call, even after the recall window.
/// </summary>
public sealed class RedisRecallRetryTests : RedisStoreTests
{
    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");

    [Fact]
    public async Task A_recall_whose_user_step_failed_is_finished_by_a_repeat_after_the_window()
    {
        var withBob = new ConversationRef(ChatTypes.SingleChat, _bob);
        var sent = (await Store.Messages.SendMessageAsync(
            new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, _alice, _bob, "text", "oops", null), T0, true, default)).Message;
        var bobsDedupe = Keys.StreamMessages(_bob);
        RedisKey aside = Prefix + ":aside";
        await Db.KeyRenameAsync(bobsDedupe, aside);
        await Db.StringSetAsync(bobsDedupe, "not a sorted set");

        var failed = await Store.Messages.RecallMessageAsync(_alice, withBob, sent.MsgId, "phone", T0 + 10, default);
        Assert.IsType<RedisServerException>(failed.Failure);
        Assert.Equal([(_alice, true)], failed.Entries.Select(e => (e.UserId, e.Appended)));
        Assert.Equal(1, (await BobsEntryAsync()).UnreadCount);
        await Db.KeyDeleteAsync(bobsDedupe);
        await Db.KeyRenameAsync(aside, bobsDedupe);

        var repeat = await Store.Messages.RecallMessageAsync(_alice, withBob, sent.MsgId, "phone", T0 + Options.RecallWindow.Ticks / TimeSpan.TicksPerMillisecond + 1000, default);

        Assert.Equal([(_alice, false), (_bob, true)], repeat.Entries.Select(e => (e.UserId, e.Appended)).OrderBy(e => e.UserId == _alice ? 0 : 1));
        var bobs = await BobsEntryAsync();
        Assert.Equal(((StoredMessage?)null, 0), (bobs.LastMessage, bobs.UnreadCount));
        var replay = (await Store.Events.SyncEventsAsync(_bob, 0, 50, default)).Events;
        Assert.Equal(MultiDeviceOperations.MessageRecalled, replay[^1].Operation);
    }

    private async Task<ConversationEntry> BobsEntryAsync() =>
        (await Store.Conversations.FetchConversationsAsync(_bob, "device", ConversationList.Active, null, 20, T0 + 30, default)).Items
            .Single(entry => entry.Conversation.Id == _alice);
}
