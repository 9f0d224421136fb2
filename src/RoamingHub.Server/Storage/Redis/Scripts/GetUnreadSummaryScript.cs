using RoamingHub.Contracts;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>get_unread_summary.lua</c>: the user's badge, muted conversations and unread marks counted.</summary>
internal static class GetUnreadSummaryScript
{
    private static readonly RedisScript Script = RedisScript.Get("get_unread_summary.lua");

    public static async Task<UnreadSummary> RunAsync(RedisStoreContext store, string userId, long now)
    {
        var reply = await Script.RunAsync(store.Db, store.Keys.UserScriptKeys(userId), [Number(now)]).ConfigureAwait(false);
        return new UnreadSummary { TotalUnread = reply.Number(1), ConversationsWithUnread = reply.Number(2), TotalUnreadUnmuted = reply.Number(3) };
    }
}
