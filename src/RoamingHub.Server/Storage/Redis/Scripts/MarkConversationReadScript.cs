using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_conversation_read.lua</c>: moves the user's read point in a conversation forward.</summary>
internal static class MarkConversationReadScript
{
    private static readonly RedisScript Script = RedisScript.Get("mark_conversation_read.lua");

    /// <summary>
    /// The read position after the call and what stays unread; <see cref="Entry"/> is the logged event's when the read
    /// point moved (<see cref="ScriptStatus.Ok"/>), null when it did not (<see cref="ScriptStatus.Unchanged"/>).
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long ReadPosition, int UnreadCount, StreamEntryRef? Entry);

    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, long readPosition, MultiDeviceEvent template)
    {
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, Number(readPosition), store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.NotFound
            ? new Reply(reply.Status, 0, 0, null)
            : new Reply(reply.Status, reply.Number(1), (int)reply.Number(2), reply.Entry(3));
    }
}
