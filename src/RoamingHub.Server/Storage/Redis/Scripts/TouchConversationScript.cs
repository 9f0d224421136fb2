using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>touch_conversation.lua</c>: appends a message to one participant's stream and moves the conversation to the top of their list.</summary>
internal static class TouchConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("touch_conversation.lua");

    /// <summary>
    /// Appends <paramref name="message"/>, stored at <paramref name="position"/> as <paramref name="blob"/>, to
    /// <paramref name="user"/>'s stream (once per msgId) and, with <paramref name="updateList"/>, touches their list;
    /// answers the stream entry. <paramref name="db"/> may be a batch that carries every participant's call.
    /// </summary>
    public static async Task<StreamEntryRef> RunAsync(
        IDatabaseAsync db, RedisStoreContext store, string user, StoredMessage message, long position, byte[] blob, bool updateList, long now)
    {
        var member = message.ConversationFor(user).Member;
        var reply = await Script.RunAsync(
            db,
            store.Keys.UserScriptKeys(user, member),
            [
                member, Number(message.Timestamp), Number(position), RedisProtocol.WritePositionedMessage(position, blob),
                store.Options.MaxConversationsPerUser, Flag(user != message.From), message.MsgId, Number(store.RetentionFloor(now)),
                Number(store.UnreadSetLifetime), Flag(updateList), store.UserBounds(now),
            ]).ConfigureAwait(false);
        return reply.Entry(1)!.Value;
    }
}
