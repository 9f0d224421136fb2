using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// A send that stopped after <c>store_message.lua</c> (its per-participant delivery steps not run yet) and a recall in
/// between: neither the late delivery step nor a retry of the send brings the recalled message back.
/// </summary>
public sealed class RedisRecallLateDeliveryTests : RedisChatTests
{
    [Fact]
    public async Task A_delivery_step_that_runs_after_the_recall_and_a_retried_send_bring_the_recalled_message_back_nowhere()
    {
        var context = new RedisStoreContext(RedisServer.Instance.Multiplexer, Microsoft.Extensions.Options.Options.Create(Options));
        var earlier = (await Store.Messages.SendMessageAsync(Draft("earlier", null), T0, true, default)).Message;
        // The first attempt: the chat step only, as if the node stopped before the delivery steps.
        var draft = Draft("oops", "c-late");
        var conversation = new ConversationRef(ChatTypes.SingleChat, Bob);
        var blob = EncodedMessage.Encode(new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body));
        var stored = await StoreMessageScript.RunAsync(context, conversation, draft, blob, T0 + 5);
        await Store.Messages.RecallMessageAsync(Alice, conversation, draft.MsgId, "phone", T0 + 10, default);
        var (aliceSeq, bobSeq) = (await Store.Events.GetLastSeqAsync(Alice, default), await Store.Events.GetLastSeqAsync(Bob, default));

        // The first attempt's delivery steps, late.
        var message = EncodedMessage.Read(blob, stored.Position).Decode();
        var touch = TouchConversationScript.For(context, message, stored.Position, blob, updateList: true, T0 + 5);
        var late = new[] { await touch.RunAsync(Db, Alice), await touch.RunAsync(Db, Bob) };
        var retry = await Store.Messages.SendMessageAsync(Draft("oops", "c-late"), T0 + 20, true, default);

        Assert.All(late, entry => Assert.False(entry.Appended));
        Assert.True(retry.Recalled);
        Assert.All(retry.Entries.Values, entry => Assert.False(entry.Appended));
        Assert.Equal((aliceSeq, bobSeq), (await Store.Events.GetLastSeqAsync(Alice, default), await Store.Events.GetLastSeqAsync(Bob, default)));
        var bobs = await EntryAsync(Bob, Alice);
        Assert.Equal((earlier, 1, T0), (bobs.LastMessage, bobs.UnreadCount, bobs.ActivityTime));
        Assert.Equal(earlier, (await EntryAsync(Alice, Bob)).LastMessage);
    }
}
