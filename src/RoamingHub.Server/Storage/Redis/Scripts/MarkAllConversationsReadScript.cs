using RoamingHub.Contracts;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_all_conversations_read.lua</c>: marks every conversation with unread messages read.</summary>
internal static class MarkAllConversationsReadScript
{
    private static readonly RedisScript Script = RedisScript.Get("mark_all_conversations_read.lua");

    /// <summary>
    /// Moves the read point of each of <paramref name="members"/> (those with unread messages) to
    /// <paramref name="readPosition"/> and logs <paramref name="template"/>; answers the event's entry.
    /// </summary>
    public static async Task<StreamEntryRef> RunAsync(
        RedisStoreContext store, string userId, IReadOnlyList<string> members, long readPosition, MultiDeviceEvent template)
    {
        var keys = store.Keys;
        var reply = await Script.RunAsync(
            store.Db,
            [.. keys.UserScriptKeys(userId), .. members.Select(member => keys.Unread(userId, member))],
            [Number(readPosition), store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template), .. members.Select(member => (RedisValue)member)])
            .ConfigureAwait(false);
        return reply.Entry(1)!.Value;
    }
}
