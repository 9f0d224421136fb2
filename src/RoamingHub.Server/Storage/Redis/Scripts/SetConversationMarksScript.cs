using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>set_conversation_marks.lua</c>: sets a conversation's marks, keeping the mark index in step, and logs the event.</summary>
internal static class SetConversationMarksScript
{
    private static readonly RedisScript Script = RedisScript.Get("set_conversation_marks.lua");

    /// <summary>
    /// The marks there are (as bits) for <see cref="ScriptStatus.KeysChanged"/> (the expected ones were not) and
    /// <see cref="ScriptStatus.Unchanged"/>, the marks set for <see cref="ScriptStatus.Ok"/> with the logged event.
    /// </summary>
    public sealed record Reply(ScriptStatus Status, int Marks, MultiDeviceEvent? Event);

    /// <summary>
    /// Sets <paramref name="wanted"/> in place of <paramref name="expected"/> and logs <paramref name="template"/>. With
    /// <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.
    /// </summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, int expected, int wanted, MultiDeviceEvent template, string? operationKey)
    {
        var reply = (await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, conversation.Member, store.OperationKey(userId, operationKey)),
            [
                conversation.Member, RedisSettingsFormat.WriteMarks(expected), RedisSettingsFormat.WriteMarks(wanted),
                store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), store.OperationWindow(operationKey),
            ]).ConfigureAwait(false)).UnlessCompleted();
        return reply.Status switch
        {
            ScriptStatus.KeysChanged or ScriptStatus.Unchanged => new Reply(reply.Status, RedisSettingsFormat.ReadMarks(reply.Text(1)), null),
            ScriptStatus.Ok => new Reply(
                reply.Status, RedisSettingsFormat.ReadMarks(reply.Text(3)), new EventReply(reply.Status, reply.Entry(1), reply.Event(2)).Event),
            _ => new Reply(reply.Status, 0, null),
        };
    }
}
