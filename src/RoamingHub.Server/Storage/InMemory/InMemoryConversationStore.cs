using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's conversation lists: walks over them, pins, read points, unread counts and deletion.</summary>
internal sealed class InMemoryConversationStore(InMemoryState state) : IConversationStore
{
    public ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(InMemoryWalks.ReadPage(
                state, userId, deviceId, list, mark: 0,
                conversations => list == ConversationList.Pinned
                    ? InMemoryWalks.Ordered(conversations.Where(c => c.Value.PinnedTime is not null).Select(c => (c.Key, c.Value.PinnedTime!.Value)))
                    : InMemoryWalks.Ordered(conversations.Select(c => (c.Key, c.Value.Activity))),
                cursor, pageSize, now));
        }
    }

    public ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<PinOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member);
            if (pinned == entry?.PinnedTime is not null)
            {
                return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new PinOutcome(pinned, entry?.PinnedTime, Event: null)));
            }

            if (pinned && conversation.IsGroup && state.GroupsOfUser.GetValueOrDefault(userId)?.Contains(conversation.Id) != true)
            {
                throw StoreErrors.NotAMember(conversation.Id);
            }

            if (pinned && state.FindUser(userId) is { } pinner
                && pinner.Conversations.Values.Count(c => c.PinnedTime is not null) >= state.Options.MaxPinnedConversations)
            {
                throw StoreErrors.PinLimit(state.Options.MaxPinnedConversations);
            }

            var user = state.WriteUser(userId, now);
            if (pinned)
            {
                if (entry is null)
                {
                    entry = new ConversationState(now, state.Work);
                    user.Conversations[conversation.Member] = entry;
                    entry.PinnedTime = now;
                    state.Evict(user);
                }

                entry.PinnedTime = now;
            }
            else
            {
                entry!.PinnedTime = null;
            }

            var evt = user.Append(
                EventTemplate.For(pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned, conversation, deviceId, now)
                    with { PinnedTime = pinned ? now : null },
                state.Options);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new PinOutcome(pinned, pinned ? now : null, evt)));
        }
    }

    public ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<MultiDeviceEvent>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            if (state.FindUser(userId)?.Conversations.ContainsKey(conversation.Member) != true)
            {
                throw StoreErrors.ConversationNotFound();
            }

            if (deleteRoam)
            {
                state.RequireMember(conversation, userId);
                if (state.FindChat(conversation, userId) is { } history)
                {
                    state.WriteChat(conversation, userId, now).RaiseWatermark(userId, history.LastPosition);
                }
            }

            var user = state.WriteUser(userId, now);
            user.Forget(conversation.Member);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, user.Append(
                EventTemplate.For(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam }, state.Options)));
        }
    }

    public ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<ReadOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            var user = state.WriteUser(userId, now);
            // A position the chat gave: no further than its newest message, whatever the caller's clock says.
            var readPosition = Math.Min(MessagePosition.LastOf(readTimestamp), state.FindChat(conversation, userId)?.LastPosition ?? 0);
            var readAt = MessagePosition.TimestampOf(readPosition);
            var moved = entry.MarkRead(readPosition);
            // Reading clears the unread mark, and says so, even where the read point stays.
            var clears = entry.Settings.MarkedUnread;
            if (clears)
            {
                entry.Settings = (entry.Settings with { MarkedUnread = false }).WrittenAt(now);
            }

            // The event carries the read point after the call: where only the mark clears, the point as it stays.
            var evt = moved || clears
                ? user.Append(
                    EventTemplate.For(MultiDeviceOperations.ConversationRead, conversation, deviceId, now) with
                    {
                        ReadTimestamp = MessagePosition.TimestampOf(entry.ReadPosition),
                    },
                    state.Options)
                : null;
            var peerEntry = moved && !conversation.IsGroup ? RecordPeerRead(conversation.Id, userId, readAt, now) : null;
            return ValueTask.FromResult(state.Operations.KeepReply(
                userId, operationKey, new ReadOutcome(MessagePosition.TimestampOf(entry.ReadPosition), entry.Unread.Count, evt, peerEntry)));
        }
    }

    public ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<MarkAllReadOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            var user = state.WriteUser(userId, now);
            var peers = new Dictionary<string, PeerRead>(StringComparer.Ordinal);
            foreach (var (member, entry) in user.Conversations.Where(c => c.Value.Unread.Count > 0))
            {
                // Everything that reached the user is read, up to a position the chat gave, never this node's clock.
                var readAt = MessagePosition.TimestampOf(entry.Unread.Highest);
                entry.MarkRead(entry.Unread.Highest);
                if (ConversationRef.FromMember(member) is { IsGroup: false } single && RecordPeerRead(single.Id, userId, readAt, now) is { } peerEntry)
                {
                    peers[single.Id] = new PeerRead(peerEntry, readAt);
                }
            }

            foreach (var entry in user.Conversations.Values.Where(c => c.Settings.MarkedUnread))
            {
                entry.Settings = (entry.Settings with { MarkedUnread = false }).WrittenAt(now);
            }

            var evt = user.Append(
                new MultiDeviceEvent { Operation = MultiDeviceOperations.AllConversationsRead, Timestamp = now, FromDeviceId = deviceId, ReadTimestamp = now },
                state.Options);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new MarkAllReadOutcome(evt, peers)));
        }
    }

    public ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var conversations = (state.FindUser(userId)?.Conversations.Values.AsEnumerable() ?? []).ToList();
            return ValueTask.FromResult(new UnreadSummary
            {
                TotalUnread = conversations.Sum(c => c.Unread.Count),
                ConversationsWithUnread = conversations.Count(c => c.Unread.Count > 0 || c.Settings.MarkedUnread),
                TotalUnreadUnmuted = conversations.Where(c => !c.Settings.MutedAt(now)).Sum(c => c.Unread.Count),
            });
        }
    }

    public ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<ExtOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored.Event);
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            var value = string.IsNullOrEmpty(ext) ? null : ext;
            if (entry.Ext == value)
            {
                return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new ExtOutcome(null)).Event);
            }

            var user = state.WriteUser(userId, now);
            entry.Ext = value;
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new ExtOutcome(user.Append(
                EventTemplate.For(MultiDeviceOperations.ConversationExtUpdated, conversation, deviceId, now) with { Ext = ext }, state.Options))).Event);
        }
    }

    /// <summary>
    /// Tells the peer's entry for a single chat how far the reader has read and appends <c>PEER_READ</c> to the peer's
    /// stream; null when the peer knew already.
    /// </summary>
    private StreamEntryRef? RecordPeerRead(string peer, string reader, long readTimestamp, long now)
    {
        var entry = state.FindUser(peer)?.Conversations.GetValueOrDefault(new ConversationRef(ChatTypes.SingleChat, reader).Member);
        if (entry is null || readTimestamp <= (entry.PeerReadTimestamp ?? 0))
        {
            return null;
        }

        var user = state.WriteUser(peer, now);
        entry.PeerReadTimestamp = readTimestamp;
        var logged = user.Append(EventTemplate.PeerRead(reader, readTimestamp, now), state.Options);
        return new StreamEntryRef(logged.Seq, logged.Epoch!);
    }

    /// <summary>An ext update's outcome as kept for its operation: the event, or null when nothing changed.</summary>
    private sealed record ExtOutcome(MultiDeviceEvent? Event);
}
