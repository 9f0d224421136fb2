using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>pin_conversation.lua</c>: pins or unpins a conversation and logs the event.</summary>
internal static class PinConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("pin_conversation.lua");

    /// <summary>
    /// For <see cref="ScriptStatus.Unchanged"/>, the pin time the conversation keeps (null when unpinned); for
    /// <see cref="ScriptStatus.Ok"/>, the logged event's entry.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long? PinnedTime, StreamEntryRef? Entry);

    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, bool pinned, long now, MultiDeviceEvent template)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [
                conversation.Member, Flag(pinned), Number(now), store.Options.MaxPinnedConversations, store.Options.MaxConversationsPerUser,
                store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), conversation.IsGroup ? conversation.Id : "",
            ]).ConfigureAwait(false);
        return reply.Status switch
        {
            ScriptStatus.Unchanged => new Reply(reply.Status, reply.OptionalNumber(1), null),
            ScriptStatus.Ok => new Reply(reply.Status, null, reply.Entry(1)),
            _ => new Reply(reply.Status, null, null),
        };
    }
}
