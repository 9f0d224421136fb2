using RoamingHub.Contracts;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_all_conversations_read.lua</c>: marks every conversation with unread messages read.</summary>
internal static class MarkAllConversationsReadScript
{
    /// <summary>
    /// For <see cref="ScriptStatus.KeysChanged"/>, the conversations with unread messages the caller did not name;
    /// for <see cref="ScriptStatus.Ok"/>, the logged event with its seq and the conversations it marked read, each with
    /// the position it read up to (its newest unread message).
    /// </summary>
    public sealed record Reply(ScriptStatus Status, MultiDeviceEvent? Event, IReadOnlyList<string> Members, IReadOnlyList<long> ReadPositions);

    private static readonly RedisScript Script = RedisScript.Get("mark_all_conversations_read.lua");

    /// <summary>
    /// Moves the read point of each of <paramref name="members"/> (those with unread messages) to its newest unread
    /// message and logs <paramref name="template"/>, unless other conversations have unread
    /// messages too. With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the
    /// one stored before.
    /// </summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, IReadOnlyList<string> members, MultiDeviceEvent template, string? operationKey)
    {
        var keys = store.Keys;
        var reply = (await Script.RunAsync(
            store.Db,
            [.. keys.UserScriptKeys(userId, extra: store.OperationKey(userId, operationKey)), .. members.Select(member => keys.Unread(userId, member))],
            [
                store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), store.OperationWindow(operationKey),
                .. members.Select(member => (RedisValue)member),
            ]).ConfigureAwait(false)).UnlessCompleted();
        if (reply.Status == ScriptStatus.KeysChanged)
        {
            return new Reply(reply.Status, null, reply.Texts(1), []);
        }

        var pairs = reply.Texts(3);
        return new Reply(
            reply.Status, new EventReply(reply.Status, reply.Entry(1), reply.Event(2)).Event,
            [.. pairs.Where((_, i) => i % 2 == 0)], [.. pairs.Where((_, i) => i % 2 == 1).Select(long.Parse)]);
    }
}
