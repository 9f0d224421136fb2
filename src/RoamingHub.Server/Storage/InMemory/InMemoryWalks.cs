using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// Walks through a user's lists in the embedded store, as <c>fetch_conversations.lua</c> walks them in Redis: a first
/// page with more to come keeps the order it read as the device's snapshot of that list, later pages read the
/// snapshot and each entry as it is now, skipping what left the list (or the mark). Expects its caller to hold the state's gate.
/// </summary>
internal static class InMemoryWalks
{
    /// <summary>One page of <paramref name="list"/>, ordered for a first page by <paramref name="order"/>.</summary>
    public static ConversationPage ReadPage(
        InMemoryState state, string userId, string deviceId, ConversationList list, int mark,
        Func<Dictionary<string, ConversationState>, List<string>> order, ListCursor? cursor, int pageSize, long now)
    {
        state.Expire(now);
        var user = state.ReadUser(userId, now);
        var conversations = user?.Conversations ?? [];
        var walkKey = new SnapshotKey(userId, deviceId, list);
        List<string> source;
        string snapshotId;
        var offset = 0;
        if (cursor is null)
        {
            source = order(conversations);
            snapshotId = ListCursor.NewSnapshotId();
            if (source.Count > pageSize)
            {
                state.Snapshots[walkKey] = (snapshotId, source);
                state.KeepSnapshot(walkKey, now);
            }
        }
        else
        {
            source = state.Snapshots.TryGetValue(walkKey, out var walk) && walk.WalkId == cursor.SnapshotId ? walk.Members : throw ListCursor.Expired();
            state.KeepSnapshot(walkKey, now);
            snapshotId = cursor.SnapshotId;
            offset = cursor.Offset;
        }

        var retentionFloor = state.RetentionFloor(now);
        var items = new List<ConversationEntry>(pageSize);
        foreach (var member in source.Skip(offset).Take(pageSize))
        {
            // A later page of a mark leaves out what lost the mark since the walk began, as Redis checks marked.
            if (conversations.GetValueOrDefault(member) is { } entry
                && (list != ConversationList.Marked || cursor is null || (entry.Settings.Marks & (1 << mark)) != 0))
            {
                items.Add(Entry(member, entry, retentionFloor));
            }
        }

        var next = offset + pageSize < source.Count ? new ListCursor(list, snapshotId, offset + pageSize, mark) : null;
        return new ConversationPage(items, next);
    }

    /// <summary>A conversation as a page shows it; a last message at or below <paramref name="retentionFloor"/> is left out.</summary>
    public static ConversationEntry Entry(string member, ConversationState entry, long retentionFloor) => new(
        ConversationRef.FromMember(member),
        entry.Activity,
        entry.Created,
        entry.PinnedTime,
        entry.Last is { } last && last.Position > retentionFloor ? last.Message : null,
        entry.Unread.Count,
        entry.PeerReadTimestamp,
        entry.Ext,
        entry.Settings == ConversationSettings.None ? null : entry.Settings);

    /// <summary>Highest score first, ties by member descending (ordinal): the order ZREVRANGE gives the Redis store.</summary>
    public static List<string> Ordered(IEnumerable<(string Member, long Score)> scores) =>
        [.. scores.OrderByDescending(c => c.Score).ThenByDescending(c => c.Member, StringComparer.Ordinal).Select(c => c.Member)];
}
