using RoamingHub.Server.Domain;
using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>hide_messages.lua</c>: the chat side of a one-way deletion.</summary>
internal static class HideMessagesScript
{
    private static readonly RedisScript Script = RedisScript.Get("hide_messages.lua");

    /// <summary>What to hide from the user.</summary>
    public enum Mode
    {
        /// <summary>Everything at or below a watermark position.</summary>
        Before,

        /// <summary>Everything up to the chat's newest message.</summary>
        All,

        /// <summary>Messages named by id.</summary>
        Ids,
    }

    /// <summary>
    /// The user's watermark after the call and whether it moved, the newest message they can still see
    /// (<c>position|blob</c>, or null) and its msgId, the ids newly hidden with their positions, and the ids the request
    /// named that were hidden before, with theirs. <see cref="Mode.Ids"/> with no ids hides nothing: it only answers the
    /// newest message the user can see.
    /// </summary>
    public sealed record Reply(
        ScriptStatus Status, long Watermark, bool Moved, byte[]? Newest, string? NewestId, IReadOnlyList<string> Ids, IReadOnlyList<long> Positions,
        IReadOnlyList<string> EarlierIds, IReadOnlyList<long> EarlierPositions)
    {
        /// <summary>Nothing hidden: for a user step that answers the reply an earlier attempt kept.</summary>
        public static Reply None { get; } = new(ScriptStatus.Ok, 0, false, null, null, [], [], [], []);
    }

    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, Mode mode, long watermark, IReadOnlyList<string> msgIds, long now)
    {
        var (keys, chat) = (store.Keys, conversation.ChatKey(userId));
        var reply = await Script.RunAsync(
            store.Db,
            [
                keys.Messages(chat), keys.MessageBodies(chat), keys.Watermarks(chat), keys.Hidden(chat, userId),
                keys.MessageClock(chat), keys.GroupMembers(chat),
            ],
            [
                userId, mode switch { Mode.Before => "before", Mode.All => "all", _ => "ids" }, Number(watermark),
                Number(store.RetentionFloor(now)), Number(store.ChatKeyLifetime), RedisStoreContext.HistoryScanCap, Flag(conversation.IsGroup),
                .. msgIds.Select(id => (RedisValue)id),
            ]).ConfigureAwait(false);
        if (reply.Status != ScriptStatus.Ok)
        {
            return new Reply(reply.Status, 0, false, null, null, [], [], [], []);
        }

        var count = (int)reply.Number(6);
        var newest = reply.OptionalNumber(3) is { } position ? RedisProtocol.WritePositionedMessage(position, reply.Blob(4)) : null;
        var earlierAt = 7 + (2 * count);
        var earlier = (int)reply.Number(earlierAt);
        return new Reply(
            reply.Status, reply.Number(1), reply.Number(2) == 1, newest, reply.OptionalText(5), reply.Texts(7, count), reply.Numbers(7 + count, count),
            reply.Texts(earlierAt + 1, earlier), reply.Numbers(earlierAt + 1 + earlier, earlier));
    }
}
