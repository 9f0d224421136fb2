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

    public async ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned, conversation, deviceId, now)
            with { PinnedTime = pinned ? now : null };
        var pin = await PinConversationScript.RunAsync(store, userId, conversation, pinned, now, template, operationKey).ConfigureAwait(false);
        return pin switch
        {
            { Status: ScriptStatus.PinLimit } => throw StoreErrors.PinLimit(store.Options.MaxPinnedConversations),
            { Status: ScriptStatus.NotAMember } => throw StoreErrors.NotAMember(conversation.Id),
            { Event: { } logged } => new PinOutcome(pinned, logged.PinnedTime, logged, pin.Published),
            _ => new PinOutcome(pinned, pin.PinnedTime, Event: null),
        };
    }

    public async ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // Three steps, because the list lives under the user's hash tag and the history under the chat's: check, hide
        // the history, then remove and log. Each step is atomic and a retry repeats them harmlessly. The check only
        // decides whether to hide: the last step refuses a conversation the user does not have, or answers the outcome
        // an earlier attempt of the operation stored, whose conversation is gone by now.
        var listed = await store.Db.SortedSetScoreAsync(store.Keys.Conversations(userId), conversation.Member).ConfigureAwait(false) is not null;
        if (listed && deleteRoam)
        {
            await _hiding.HideAsync(userId, conversation, HideMessagesScript.Mode.All, 0, [], now).ConfigureAwait(false);
        }

        var template = EventTemplate.For(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam };
        var deleted = await DeleteRemoteConversationScript.RunAsync(store, userId, conversation, template, operationKey).ConfigureAwait(false);
        return deleted.Event ?? throw StoreErrors.ConversationNotFound();
    }

    public async ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // The read point is a position the chat gave: no further than its newest message, so a node whose clock is
        // ahead cannot read messages stored after this call. The chat's clock lives under the chat's tag, the read
        // point under the user's, hence a read first; a message stored in between stays unread, as it came after.
        var clock = (long?)await store.Db.StringGetAsync(store.Keys.MessageClock(conversation.ChatKey(userId))).ConfigureAwait(false) ?? 0;
        var readPosition = Math.Min(MessagePosition.LastOf(readTimestamp), clock);
        var template = EventTemplate.For(MultiDeviceOperations.ConversationRead, conversation, deviceId, now) with
        {
            ReadTimestamp = MessagePosition.TimestampOf(readPosition),
        };
        var read = await MarkConversationReadScript.RunAsync(store, userId, conversation, readPosition, template, null, null, operationKey).ConfigureAwait(false);
        // A read that only clears the unread mark logs the point where it stays, which the script names; the point only
        // moves forward, so this ends.
        while (read.Status == ScriptStatus.Stale)
        {
            var stays = read.ReadPosition;
            read = await MarkConversationReadScript.RunAsync(
                store, userId, conversation, readPosition, template, stays, template with { ReadTimestamp = MessagePosition.TimestampOf(stays) }, operationKey)
                .ConfigureAwait(false);
        }

        if (read.Status == ScriptStatus.NotFound)
        {
            throw StoreErrors.ConversationNotFound();
        }

        // The peer's side comes from the logged event, so a repeat that got the stored outcome finishes this step with
        // the first attempt's time; it only moves forward, so running it again changes nothing once it ran. A read
        // that only cleared the mark tells the peer nothing, as the embedded store does.
        var peerEntry = read.Moved && read.Event is { ReadTimestamp: { } logged } && !conversation.IsGroup
            ? await RecordPeerReadScript.RunAsync(store, conversation.Id, userId, logged, now).ConfigureAwait(false)
            : null;
        return new ReadOutcome(MessagePosition.TimestampOf(read.ReadPosition), read.UnreadCount, read.Event, peerEntry);
    }

    public async ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // Two round trips: the conversations with unread messages name the unread sets the script must declare. The
        // script checks them against what it finds and names any that came meanwhile; each call adds those, and a
        // message can only add a conversation, so this ends.
        var members = (await store.Db.HashKeysAsync(store.Keys.UnreadCounts(userId)).ConfigureAwait(false)).Select(m => (string)m!).ToList();
        var template = new MultiDeviceEvent { Operation = MultiDeviceOperations.AllConversationsRead, Timestamp = now, FromDeviceId = deviceId, ReadTimestamp = now };
        MarkAllConversationsReadScript.Reply marked;
        while ((marked = await MarkAllConversationsReadScript.RunAsync(store, userId, members, template, operationKey)
                   .ConfigureAwait(false)).Status == ScriptStatus.KeysChanged)
        {
            members.AddRange(marked.Members);
        }

        // The peers come from the script's answer, so a repeat that got the stored outcome tells the same peers the same
        // times; each step only moves forward, so it changes nothing once it ran. A peer learns the time of the newest
        // message read in their chat, a position the chat gave, never this node's clock.
        var read = marked.Event!;
        var peers = marked.Members.Zip(marked.ReadPositions)
            .Select(m => (Conversation: ConversationRef.FromMember(m.First), ReadTimestamp: MessagePosition.TimestampOf(m.Second)))
            .Where(m => !m.Conversation.IsGroup).ToList();
        var advanced = await Task.WhenAll(peers.Select(peer => RecordPeerReadScript.RunAsync(store, peer.Conversation.Id, userId, peer.ReadTimestamp, now)))
            .ConfigureAwait(false);
        var peerEntries = new Dictionary<string, PeerRead>(StringComparer.Ordinal);
        for (var i = 0; i < peers.Count; i++)
        {
            if (advanced[i] is { } peerEntry)
            {
                peerEntries[peers[i].Conversation.Id] = new PeerRead(peerEntry, peers[i].ReadTimestamp);
            }
        }

        return new MarkAllReadOutcome(read, peerEntries);
    }

    public async ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, long now, CancellationToken cancellationToken) =>
        await GetUnreadSummaryScript.RunAsync(store, userId, now).ConfigureAwait(false);

    public async ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationExtUpdated, conversation, deviceId, now) with { Ext = ext };
        var updated = await UpdateConversationExtScript.RunAsync(store, userId, conversation, ext, template, operationKey).ConfigureAwait(false);
        return updated.Status == ScriptStatus.NotFound ? throw StoreErrors.ConversationNotFound() : updated.Event;
    }
}
