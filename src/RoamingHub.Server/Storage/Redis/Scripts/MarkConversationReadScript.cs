using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_conversation_read.lua</c>: moves the user's read point in a conversation forward.</summary>
internal static class MarkConversationReadScript
{
    private static readonly RedisScript Script = RedisScript.Get("mark_conversation_read.lua");

    /// <summary>
    /// The read position after the call and what stays unread; <see cref="Event"/> is the logged event, with its seq,
    /// when the read point moved or the unread mark was cleared (<see cref="ScriptStatus.Ok"/>), null when neither
    /// happened (<see cref="ScriptStatus.Unchanged"/>); <see cref="Moved"/> says whether the read point moved.
    /// <see cref="ScriptStatus.Stale"/>: the read only clears the mark and the point stays at <see cref="ReadPosition"/>,
    /// not at the clear position named; nothing was written.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, long ReadPosition, int UnreadCount, MultiDeviceEvent? Event, bool Moved);

    /// <summary>
    /// With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored
    /// before. <paramref name="clearTemplate"/> is the event of a read that leaves the point at
    /// <paramref name="clearPosition"/> and only clears the mark (null before the caller has heard where the point is).
    /// </summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, long readPosition, MultiDeviceEvent template,
        long? clearPosition, MultiDeviceEvent? clearTemplate, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [
                conversation.Member, Number(readPosition), store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template),
                store.OperationWindow(operationKey),
                clearTemplate is null ? string.Empty : RedisProtocol.WriteEvent(clearTemplate),
                clearPosition is { } position ? Number(position) : string.Empty,
            ]).ConfigureAwait(false)).UnlessCompleted();
        return reply.Status switch
        {
            ScriptStatus.NotFound => new Reply(reply.Status, 0, 0, null, false),
            ScriptStatus.Stale => new Reply(reply.Status, reply.Number(1), 0, null, false),
            _ => new Reply(
                reply.Status, reply.Number(1), (int)reply.Number(2), new EventReply(reply.Status, reply.Entry(3), reply.Event(4)).Event,
                // A reply stored before the flag was answered moved when it logged, as the script then did.
                reply.Length > 5 ? reply.Number(5) == 1 : reply.Status == ScriptStatus.Ok),
        };
    }
}
