using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>store_message.lua</c>: stores a message once in its chat.</summary>
internal static class StoreMessageScript
{
    private static readonly RedisScript Script = RedisScript.Get("store_message.lua");

    /// <summary>
    /// The message's id and position and, for a repeated clientMsgId (<see cref="ScriptStatus.Duplicate"/>), the first
    /// message's blob (null when it was recalled since); in a group, its members. Empty for <see cref="ScriptStatus.NotAMember"/>.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, string MsgId, long Position, byte[]? FirstBlob, IReadOnlyList<string> Members);

    public static async Task<Reply> RunAsync(RedisStoreContext store, ConversationRef conversation, MessageDraft draft, byte[] blob, long now)
    {
        var (keys, chat) = (store.Keys, conversation.ChatKey(draft.From));
        var reply = await Script.RunAsync(
            store.Db,
            [
                keys.Messages(chat), keys.MessageBodies(chat), keys.MessageClock(chat), keys.ClientMsgId(chat, draft.From, draft.ClientMsgId ?? ""),
                keys.Hidden(chat, draft.From), keys.Hidden(chat, conversation.IsGroup ? draft.From : draft.To), keys.GroupMembers(chat), keys.Recalled(chat),
            ],
            [
                draft.MsgId, Number(now), blob,
                draft.ClientMsgId is null ? "" : Number((long)store.Options.IdempotencyWindow.TotalMilliseconds),
                Number(store.RetentionFloor(now)), Number(store.ChatKeyLifetime), draft.From, Flag(conversation.IsGroup),
            ]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.NotAMember
            ? new Reply(reply.Status, draft.MsgId, 0, null, [])
            : new Reply(reply.Status, reply.Text(1), reply.Number(2), reply.OptionalBlob(3), reply.Texts(4));
    }
}
