using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Retention trimming keeps up with any send rate: a chat holds no more than what is still within retention once the
/// expired part has been sent over, however many messages a minute it gets; one-way deletions by id shed their
/// expired ids too. Counted in Redis, with the times passed to the store.
/// </summary>
public sealed class RedisRetentionTrimTests() : RedisStoreTests(options => options.MessageRetentionDays = 1)
{
    private const long Day = 24 * 60 * 60 * 1000;
    private const int Burst = 300;
    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");

    private string Chat => new ConversationRef(ChatTypes.SingleChat, _bob).ChatKey(_alice);

    private async Task<IReadOnlyList<StoredMessage>> BurstAsync(string from, string to, long start, string chatType = ChatTypes.SingleChat)
    {
        var sent = new List<StoredMessage>(Burst);
        for (var i = 0; i < Burst; i++)
        {
            // All in one minute: 300 messages a minute, three times what one trim a minute removed.
            var draft = new MessageDraft(Guid.NewGuid().ToString("N"), chatType, from, to, "text", $"m{i}", null);
            sent.Add((await Store.Messages.SendMessageAsync(draft, start + i, true, default)).Message);
        }

        return sent;
    }

    [Fact]
    public async Task A_chat_sent_hundreds_of_messages_a_minute_keeps_only_what_is_within_retention()
    {
        await BurstAsync(_alice, _bob, T0);
        Assert.Equal(Burst, await Db.SortedSetLengthAsync(Keys.Messages(Chat)));

        var fresh = await BurstAsync(_bob, _alice, T0 + Day + 120_000);

        Assert.Equal(Burst, await Db.SortedSetLengthAsync(Keys.Messages(Chat)));
        Assert.Equal(Burst, await Db.HashLengthAsync(Keys.MessageBodies(Chat)));
        var kept = await Db.SortedSetRangeByRankAsync(Keys.Messages(Chat));
        Assert.Equal(fresh.Select(m => m.MsgId), kept.Select(id => (string)id!));
    }

    [Fact]
    public async Task A_member_who_hides_but_never_sends_keeps_no_expired_hidden_ids()
    {
        var carol = TestIds.User("carol");
        var team = TestIds.User("team");
        await Store.Groups.CreateGroupAsync(team, _alice, [carol], T0, default);
        var early = await BurstAsync(_alice, team, T0, ChatTypes.GroupChat);
        await Store.Messages.DeleteRemoteMessagesWithIdsAsync(carol, ConversationRef.Group(team), [.. early.Take(50).Select(m => m.MsgId)], "phone", T0 + 1000, default);
        Assert.Equal(50, await Db.SortedSetLengthAsync(Keys.Hidden(ConversationRef.GroupChatKey(team), carol)));

        var later = await BurstAsync(_alice, team, T0 + Day + 120_000, ChatTypes.GroupChat);
        await Store.Messages.DeleteRemoteMessagesWithIdsAsync(carol, ConversationRef.Group(team), [later[0].MsgId], "phone", T0 + Day + 130_000, default);

        Assert.Equal([later[0].MsgId], (await Db.SortedSetRangeByRankAsync(Keys.Hidden(ConversationRef.GroupChatKey(team), carol))).Select(id => (string)id!));
    }
}
