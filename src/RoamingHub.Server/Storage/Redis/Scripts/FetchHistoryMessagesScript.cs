using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>fetch_history_messages.lua</c>: a page of a chat's history as one user sees it.</summary>
internal static class FetchHistoryMessagesScript
{
    private static readonly RedisScript Script = RedisScript.Get("fetch_history_messages.lua");

    /// <summary>The page, when <see cref="Status"/> is <see cref="ScriptStatus.Ok"/>.</summary>
    public sealed record Reply(ScriptStatus Status, HistoryPage Page);

    public static async Task<Reply> RunAsync(RedisStoreContext store, string userId, ConversationRef conversation, HistoryQuery query, long now)
    {
        var (keys, chat) = (store.Keys, conversation.ChatKey(userId));
        var reply = await Script.RunAsync(
            store.Db,
            [keys.Messages(chat), keys.MessageBodies(chat), keys.Watermarks(chat), keys.Hidden(chat, userId), keys.GroupMembers(chat), keys.Recalled(chat)],
            [
                userId, query.Older ? "up" : "down", query.Cursor ?? "", query.PageSize, Number(store.RetentionFloor(now)),
                RedisStoreContext.HistoryScanCap, Flag(conversation.IsGroup),
            ]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.Ok
            ? new Reply(reply.Status, new HistoryPage(reply.Messages(2), reply.OptionalText(1)))
            : new Reply(reply.Status, new HistoryPage([], null));
    }
}
