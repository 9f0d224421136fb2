using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>touch_conversation.lua</c>: moves a conversation to the top of one participant's list after a message.</summary>
internal static class TouchConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("touch_conversation.lua");

    /// <summary>
    /// Touches <paramref name="user"/>'s entry for <paramref name="message"/>, stored at <paramref name="position"/> as
    /// <paramref name="blob"/>; <paramref name="db"/> may be a batch that carries every participant's call.
    /// </summary>
    public static async Task RunAsync(IDatabaseAsync db, RedisStoreContext store, string user, StoredMessage message, long position, byte[] blob, long now)
    {
        var member = message.ConversationFor(user).Member;
        await Script.RunAsync(
            db,
            store.Keys.UserScriptKeys(user, member),
            [
                member, Number(message.Timestamp), Number(position), RedisProtocol.WritePositionedMessage(position, blob),
                store.Options.MaxConversationsPerUser, Flag(user != message.From), message.MsgId, Number(store.RetentionFloor(now)),
                Number(store.ChatKeyLifetime),
            ]).ConfigureAwait(false);
    }
}
