using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>fetch_conversations.lua</c>: one page of a user's conversation list or pins.</summary>
internal static class FetchConversationsScript
{
    private const int FieldsPerEntry = 8;
    private static readonly RedisScript Script = RedisScript.Get("fetch_conversations.lua");

    /// <summary>The page's entries and whether more pages follow, when <see cref="Status"/> is <see cref="ScriptStatus.Ok"/>.</summary>
    public sealed record Reply(ScriptStatus Status, bool HasMore, IReadOnlyList<ConversationEntry> Items);

    /// <summary>
    /// Reads <paramref name="pageSize"/> entries from <paramref name="offset"/> of the walk <paramref name="walkId"/>
    /// on the device's snapshot of <paramref name="list"/>; <paramref name="continues"/> is false for its first page.
    /// </summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, string deviceId, ConversationList list, bool continues, string walkId, int offset, int pageSize, long now)
    {
        var pinned = list == ConversationList.Pinned;
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, extra: store.Keys.Snapshot(userId, pinned ? "p" : "a", deviceId)),
            [
                continues ? "continue" : "start", offset, pageSize, (long)store.Options.ListCursorLifetime.TotalMilliseconds,
                Number(store.RetentionFloor(now)), pinned ? "pins" : "convs", walkId, store.UserBounds(now),
            ]).ConfigureAwait(false);
        if (reply.Status != ScriptStatus.Ok)
        {
            return new Reply(reply.Status, false, []);
        }

        var items = new List<ConversationEntry>((reply.Length - 2) / FieldsPerEntry);
        for (var i = 2; i + FieldsPerEntry - 1 < reply.Length; i += FieldsPerEntry)
        {
            items.Add(new ConversationEntry(
                ConversationRef.FromMember(reply.Text(i)),
                ActivityTime: reply.Number(i + 1),
                CreatedTime: reply.Number(i + 2),
                PinnedTime: reply.OptionalNumber(i + 3),
                LastMessage: reply.OptionalBlob(i + 4) is { } last ? RedisProtocol.ReadPositionedMessage(last) : null,
                UnreadCount: (int)reply.Number(i + 5),
                PeerReadTimestamp: reply.OptionalNumber(i + 6),
                Ext: reply.OptionalText(i + 7)));
        }

        return new Reply(reply.Status, reply.Number(1) == 1, items);
    }
}
