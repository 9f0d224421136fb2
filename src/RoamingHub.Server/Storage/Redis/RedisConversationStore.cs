using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// A user's conversation list in Redis: each call is one script under the user's hash tag, plus, where it spans
/// tags, a step on the chat (deleting with the history) or on the other participant (a single-chat read).
/// </summary>
internal sealed class RedisConversationStore(RedisStoreContext store) : IConversationStore
{
    private readonly MessageHiding _hiding = new(store);

    public async ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        var walkId = cursor?.SnapshotId ?? ListCursor.NewSnapshotId();
        var offset = cursor?.Offset ?? 0;
        var page = await FetchConversationsScript.RunAsync(store, userId, deviceId, list, cursor is not null, walkId, offset, pageSize, now)
            .ConfigureAwait(false);
        if (page.Status == ScriptStatus.WalkExpired)
        {
            throw ListCursor.Expired();
        }

        return new ConversationPage(page.Items, page.HasMore ? new ListCursor(list, walkId, offset + pageSize) : null);
    }

    public async ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned, conversation, deviceId, now)
            with { PinnedTime = pinned ? now : null };
        var pin = await PinConversationScript.RunAsync(store, userId, conversation, pinned, now, template).ConfigureAwait(false);
        return pin switch
        {
            { Status: ScriptStatus.PinLimit } => throw StoreErrors.PinLimit(store.Options.MaxPinnedConversations),
            { Status: ScriptStatus.NotAMember } => throw StoreErrors.NotAMember(conversation.Id),
            { Entry: { } entry } => new PinOutcome(pinned, pinned ? now : null, entry.Stamp(template)),
            _ => new PinOutcome(pinned, pin.PinnedTime, Event: null),
        };
    }

    public async ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken)
    {
        // Three steps, because the list lives under the user's hash tag and the history under the chat's:
        // check, hide the history, then remove and log. Each step is atomic and a retry repeats them harmlessly.
        if (await store.Db.SortedSetScoreAsync(store.Keys.Conversations(userId), conversation.Member).ConfigureAwait(false) is null)
        {
            throw StoreErrors.ConversationNotFound();
        }

        if (deleteRoam)
        {
            await _hiding.HideAsync(userId, conversation, HideMessagesScript.Mode.All, 0, [], now).ConfigureAwait(false);
        }

        var template = EventTemplate.For(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam };
        var deleted = await DeleteRemoteConversationScript.RunAsync(store, userId, conversation, template).ConfigureAwait(false);
        return deleted.Entry is { } entry ? entry.Stamp(template) : throw StoreErrors.ConversationNotFound();
    }

    public async ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationRead, conversation, deviceId, now) with { ReadTimestamp = readTimestamp };
        var read = await MarkConversationReadScript.RunAsync(store, userId, conversation, MessagePosition.LastOf(readTimestamp), template)
            .ConfigureAwait(false);
        if (read.Status == ScriptStatus.NotFound)
        {
            throw StoreErrors.ConversationNotFound();
        }

        var peerEntry = read.Entry is not null && !conversation.IsGroup
            ? await RecordPeerReadScript.RunAsync(store, conversation.Id, userId, readTimestamp, now).ConfigureAwait(false)
            : null;
        return new ReadOutcome(
            MessagePosition.TimestampOf(read.ReadPosition), read.UnreadCount, read.Entry is { } entry ? entry.Stamp(template) : null, peerEntry);
    }

    public async ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, CancellationToken cancellationToken)
    {
        // Two round trips: the conversations with unread messages name the unread sets the script must declare.
        var members = (await store.Db.HashKeysAsync(store.Keys.UnreadCounts(userId)).ConfigureAwait(false)).Select(m => (string)m!).ToList();
        var template = new MultiDeviceEvent { Operation = MultiDeviceOperations.AllConversationsRead, Timestamp = now, FromDeviceId = deviceId, ReadTimestamp = now };
        var entry = await MarkAllConversationsReadScript.RunAsync(store, userId, members, MessagePosition.LastOf(now), template).ConfigureAwait(false);

        var peers = members.Select(ConversationRef.FromMember).Where(c => !c.IsGroup).Select(c => c.Id).ToList();
        var advanced = await Task.WhenAll(peers.Select(peer => RecordPeerReadScript.RunAsync(store, peer, userId, now, now))).ConfigureAwait(false);
        var peerEntries = new Dictionary<string, StreamEntryRef>(StringComparer.Ordinal);
        for (var i = 0; i < peers.Count; i++)
        {
            if (advanced[i] is { } peerEntry)
            {
                peerEntries[peers[i]] = peerEntry;
            }
        }

        return new MarkAllReadOutcome(entry.Stamp(template), peerEntries);
    }

    public async ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, long now, CancellationToken cancellationToken)
    {
        var values = await store.Db.HashGetAsync(store.Keys.UnreadSummary(userId), ["total", "conversations"]).ConfigureAwait(false);
        return new UnreadSummary
        {
            TotalUnread = values[0].IsNull ? 0 : (long)values[0],
            ConversationsWithUnread = values[1].IsNull ? 0 : (long)values[1],
        };
    }

    public async ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationExtUpdated, conversation, deviceId, now) with { Ext = ext };
        var updated = await UpdateConversationExtScript.RunAsync(store, userId, conversation, ext, template).ConfigureAwait(false);
        return updated switch
        {
            { Status: ScriptStatus.NotFound } => throw StoreErrors.ConversationNotFound(),
            { Entry: { } entry } => entry.Stamp(template),
            _ => null,
        };
    }
}
