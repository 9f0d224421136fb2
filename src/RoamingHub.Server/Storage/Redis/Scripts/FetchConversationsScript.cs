using RoamingHub.Server.Domain;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>fetch_conversations.lua</c>: one page of a user's conversation list, pins or the conversations of a mark.</summary>
internal static class FetchConversationsScript
{
    /// <summary>The fields of an entry, as <c>lib/conversation_entries.lua</c> answers them.</summary>
    private const int FieldsPerEntry = 9;
    private static readonly RedisScript Script = RedisScript.Get("fetch_conversations.lua");

    /// <summary>The page's entries and whether more pages follow, when <see cref="Status"/> is <see cref="ScriptStatus.Ok"/>.</summary>
    public sealed record Reply(ScriptStatus Status, bool HasMore, IReadOnlyList<ConversationEntry> Items);

    /// <summary>
    /// Reads <paramref name="pageSize"/> entries from <paramref name="offset"/> of the walk <paramref name="walkId"/>
    /// on the device's snapshot of <paramref name="list"/> (for <see cref="ConversationList.Marked"/>, of the
    /// conversations of <paramref name="mark"/>); <paramref name="continues"/> is false for its first page.
    /// </summary>
    public static async Task<Reply> RunAsync(
        RedisStoreContext store, string userId, string deviceId, ConversationList list, bool continues, string walkId, int offset, int pageSize, long now, int mark = 0)
    {
        var (source, snapshot) = list switch
        {
            ConversationList.Pinned => ("pins", "p"),
            ConversationList.Marked => ("marked", "m"),
            _ => ("convs", "a"),
        };
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, extra: store.Keys.Snapshot(userId, snapshot, deviceId)),
            [
                continues ? "continue" : "start", offset, pageSize, (long)store.Options.ListCursorLifetime.TotalMilliseconds,
                Number(store.RetentionFloor(now)), source, walkId, store.UserBounds(now), mark,
            ]).ConfigureAwait(false);
        return reply.Status != ScriptStatus.Ok
            ? new Reply(reply.Status, false, [])
            : new Reply(reply.Status, reply.Number(1) == 1, ReadEntries(reply, 2));
    }

    /// <summary>The entries of a reply from <paramref name="first"/> on, as <c>lib/conversation_entries.lua</c> answers them.</summary>
    public static IReadOnlyList<ConversationEntry> ReadEntries(ScriptReply reply, int first)
    {
        var items = new List<ConversationEntry>((reply.Length - first) / FieldsPerEntry);
        for (var i = first; i + FieldsPerEntry - 1 < reply.Length; i += FieldsPerEntry)
        {
            items.Add(new ConversationEntry(
                ConversationRef.FromMember(reply.Text(i)),
                ActivityTime: reply.Number(i + 1),
                CreatedTime: reply.Number(i + 2),
                PinnedTime: reply.OptionalNumber(i + 3),
                LastMessage: reply.OptionalBlob(i + 4) is { } last ? RedisProtocol.ReadPositionedMessage(last) : null,
                UnreadCount: (int)reply.Number(i + 5),
                PeerReadTimestamp: reply.OptionalNumber(i + 6),
                Ext: reply.OptionalText(i + 7),
                Settings: RedisSettingsFormat.Read(reply.OptionalText(i + 8))));
        }

        return items;
    }
}
