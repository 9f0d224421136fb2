using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store for a single node without Redis (<c>dotnet run</c> with no configuration). One lock guards
/// everything: simple, and atomic in exactly the places the Redis scripts are. Orders match Redis sorted sets
/// (score, then member by ordinal) so both stores pass one contract suite.
/// </summary>
internal sealed class InMemoryRoamingStore(IOptions<RoamingOptions> options)
    : IMessageStore, IConversationStore, IGroupStore, IEventLog, IPresenceStore, IOperationStore
{
    private readonly RoamingOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChatState> _chats = new(StringComparer.Ordinal);

    /// <summary>How many client message ids all chats remember for deduplication.</summary>
    public int ClientMsgIdsHeld
    {
        get
        {
            lock (_gate)
            {
                return _chats.Values.Sum(chat => chat.Dedupe.Count);
            }
        }
    }

    public ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var conversation = new ConversationRef(draft.ChatType, draft.To);
            var chat = Chat(conversation, draft.From);
            if (conversation.IsGroup && chat.Group?.Members.Contains(draft.From) != true)
            {
                throw StoreErrors.NotAMember(draft.To);
            }

            chat.Trim(RetentionFloor(now));
            chat.ForgetExpiredClientIds(now, (long)_options.IdempotencyWindow.TotalMilliseconds);
            var participants = conversation.IsGroup ? [.. chat.Group!.Members] : new[] { draft.From, draft.To };
            if (draft.ClientMsgId is { } clientMsgId
                && chat.Dedupe.TryGetValue((draft.From, clientMsgId), out var seen)
                && seen.ExpiresAt > now
                && chat.Find(seen.MsgId) is { } first)
            {
                if (updateConversations)
                {
                    Touch(participants, first.Position, first.Message, now);
                }

                return ValueTask.FromResult(new SendOutcome(first.Message, Duplicate: true));
            }

            var position = MessagePosition.Next(now, chat.LastPosition);
            chat.LastPosition = position;
            var message = new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, MessagePosition.TimestampOf(position), draft.Type, draft.Body);
            chat.Messages.Add((position, message));
            if (draft.ClientMsgId is { } id)
            {
                chat.Dedupe[(draft.From, id)] = (draft.MsgId, now + (long)_options.IdempotencyWindow.TotalMilliseconds);
            }

            if (updateConversations)
            {
                Touch(participants, position, message, now);
            }

            return ValueTask.FromResult(new SendOutcome(message, Duplicate: false));
        }
    }

    public ValueTask<HistoryPage> FetchHistoryMessagesAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var chat = MemberChat(conversation, userId);
            var floor = chat.Floor(userId, RetentionFloor(now));
            var messages = chat.Messages;
            int start;
            if (query.Cursor is null)
            {
                start = query.Older ? messages.Count : -1;
            }
            else
            {
                start = messages.FindIndex(m => m.Message.MsgId == query.Cursor);
                if (start < 0)
                {
                    throw StoreErrors.UnknownHistoryCursor();
                }
            }

            var step = query.Older ? -1 : 1;
            var found = new List<(long Position, StoredMessage Message)>(query.PageSize + 1);
            for (var i = start + step; i >= 0 && i < messages.Count && found.Count <= query.PageSize; i += step)
            {
                var (position, message) = messages[i];
                if (position > floor && !chat.IsHidden(userId, message.MsgId))
                {
                    found.Add((position, message));
                }
            }

            var more = found.Count > query.PageSize;
            if (more)
            {
                found.RemoveAt(found.Count - 1);
            }

            var items = found.Select(m => EncodedMessage.Of(m.Message, m.Position)).ToList();
            return ValueTask.FromResult(new HistoryPage(items, more ? found[^1].Message.MsgId : null));
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var chat = MemberChat(conversation, userId);
            var moved = chat.RaiseWatermark(userId, MessagePosition.LastOf(beforeTimestamp));
            var applied = MessagePosition.TimestampOf(chat.Watermarks.GetValueOrDefault(userId, MessagePosition.LastOf(beforeTimestamp)));
            AfterHide(userId, conversation, chat, now);
            var evt = moved
                ? User(userId).Append(EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = applied }, _options.EventLogLength)
                : null;
            return ValueTask.FromResult(new HideOutcome(applied, null, evt));
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var chat = MemberChat(conversation, userId);
            var floor = chat.Floor(userId, RetentionFloor(now));
            var hidden = chat.HiddenOf(userId);
            var newly = new List<string>();
            foreach (var msgId in msgIds)
            {
                if (chat.Find(msgId) is { } message && message.Position > floor && hidden.TryAdd(msgId, message.Position))
                {
                    newly.Add(msgId);
                }
            }

            AfterHide(userId, conversation, chat, now);
            var evt = newly.Count > 0
                ? User(userId).Append(EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = newly }, _options.EventLogLength)
                : null;
            return ValueTask.FromResult(new HideOutcome(null, newly, evt));
        }
    }

    public ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            if (!user.Conversations.ContainsKey(conversation.Member))
            {
                throw StoreErrors.ConversationNotFound();
            }

            if (deleteRoam)
            {
                var chat = MemberChat(conversation, userId);
                chat.RaiseWatermark(userId, chat.LastPosition);
            }

            user.Forget(conversation.Member);
            return ValueTask.FromResult(user.Append(
                EventTemplate.For(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam }, _options.EventLogLength));
        }
    }

    public ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var entry = user.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            var moved = entry.MarkRead(MessagePosition.LastOf(readTimestamp));
            var evt = moved
                ? user.Append(EventTemplate.For(MultiDeviceOperations.ConversationRead, conversation, deviceId, now) with { ReadTimestamp = readTimestamp }, _options.EventLogLength)
                : null;
            var peerAdvanced = moved && !conversation.IsGroup && RecordPeerRead(conversation.Id, userId, readTimestamp);
            return ValueTask.FromResult(new ReadOutcome(MessagePosition.TimestampOf(entry.ReadPosition), entry.Unread.Count, evt, peerAdvanced));
        }
    }

    public ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var peers = new List<string>();
            foreach (var (member, entry) in user.Conversations.Where(c => c.Value.Unread.Count > 0))
            {
                entry.MarkRead(MessagePosition.LastOf(now));
                if (ConversationRef.FromMember(member) is { IsGroup: false } single && RecordPeerRead(single.Id, userId, now))
                {
                    peers.Add(single.Id);
                }
            }

            var evt = user.Append(
                new MultiDeviceEvent { Operation = MultiDeviceOperations.AllConversationsRead, Timestamp = now, FromDeviceId = deviceId, ReadTimestamp = now },
                _options.EventLogLength);
            return ValueTask.FromResult(new MarkAllReadOutcome(evt, peers));
        }
    }

    public ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var counts = User(userId).Conversations.Values.Select(c => c.Unread.Count).Where(c => c > 0).ToList();
            return ValueTask.FromResult(new UnreadSummary { TotalUnread = counts.Sum(), ConversationsWithUnread = counts.Count });
        }
    }

    public ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var entry = user.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            var value = string.IsNullOrEmpty(ext) ? null : ext;
            if (entry.Ext == value)
            {
                return ValueTask.FromResult<MultiDeviceEvent?>(null);
            }

            entry.Ext = value;
            return ValueTask.FromResult<MultiDeviceEvent?>(user.Append(
                EventTemplate.For(MultiDeviceOperations.ConversationExtUpdated, conversation, deviceId, now) with { Ext = ext }, _options.EventLogLength));
        }
    }

    public ValueTask<Group> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var chat = Chat(ConversationRef.Group(groupId), owner);
            if (chat.Group is not null)
            {
                throw StoreErrors.GroupExists(groupId);
            }

            var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (all.Count > _options.MaxGroupMembers)
            {
                throw StoreErrors.TooManyMembers(_options.MaxGroupMembers);
            }

            chat.Group = new GroupState(owner, now, [.. all]);
            all.ForEach(m => User(m).Groups.Add(groupId));
            return ValueTask.FromResult(chat.Group.ToWire(groupId));
        }
    }

    public ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_chats.GetValueOrDefault(ConversationRef.GroupChatKey(groupId))?.Group?.ToWire(groupId));
        }
    }

    public ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var group = ExistingGroup(groupId);
            var added = users.Distinct(StringComparer.Ordinal).Where(u => !group.Members.Contains(u)).ToList();
            if (group.Members.Count + added.Count > _options.MaxGroupMembers)
            {
                throw StoreErrors.TooManyMembers(_options.MaxGroupMembers);
            }

            foreach (var user in added)
            {
                group.Members.Add(user);
                User(user).Groups.Add(groupId);
            }

            return ValueTask.FromResult<IReadOnlyList<string>>(added);
        }
    }

    public ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var group = ExistingGroup(groupId);
            if (group.Owner == userId)
            {
                throw StoreErrors.OwnerCannotLeave();
            }

            if (!group.Members.Remove(userId))
            {
                throw StoreErrors.NotInGroup(userId, groupId);
            }

            var chat = Chat(ConversationRef.Group(groupId), userId);
            chat.Watermarks.Remove(userId);
            chat.Hidden.Remove(userId);
            return ValueTask.FromResult(LeaveGroup(groupId, userId, now));
        }
    }

    public ValueTask<IReadOnlyList<(string UserId, MultiDeviceEvent? Event)>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var group = ExistingGroup(groupId);
            _chats.Remove(ConversationRef.GroupChatKey(groupId));
            return ValueTask.FromResult<IReadOnlyList<(string, MultiDeviceEvent?)>>(
                [.. group.Members.Order(StringComparer.Ordinal).Select(m => (m, LeaveGroup(groupId, m, now)))]);
        }
    }

    public ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. User(userId).Groups]);
        }
    }

    public ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var staleBefore = StaleBefore(now);
            return ValueTask.FromResult<IReadOnlyList<string>>([.. User(userId).Connections.Where(c => c.Value >= staleBefore).Select(c => c.Key)]);
        }
    }

    public ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var entry = user.Conversations.GetValueOrDefault(conversation.Member);
            if (pinned == entry?.PinnedTime is not null)
            {
                return ValueTask.FromResult(new PinOutcome(pinned, entry?.PinnedTime, Event: null));
            }

            if (pinned)
            {
                if (conversation.IsGroup && !user.Groups.Contains(conversation.Id))
                {
                    throw StoreErrors.NotAMember(conversation.Id);
                }

                if (user.Conversations.Values.Count(c => c.PinnedTime is not null) >= _options.MaxPinnedConversations)
                {
                    throw StoreErrors.PinLimit(_options.MaxPinnedConversations);
                }

                if (entry is null)
                {
                    entry = new ConversationState(now);
                    user.Conversations[conversation.Member] = entry;
                    entry.PinnedTime = now;
                    Evict(user);
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
                _options.EventLogLength);
            return ValueTask.FromResult(new PinOutcome(pinned, pinned ? now : null, evt));
        }
    }

    public ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            List<string> source;
            string snapshotId;
            var offset = 0;
            if (cursor is null)
            {
                source = list == ConversationList.Pinned
                    ? Ordered(user.Conversations.Where(c => c.Value.PinnedTime is not null).Select(c => (c.Key, c.Value.PinnedTime!.Value)))
                    : Ordered(user.Conversations.Select(c => (c.Key, c.Value.Activity)));
                snapshotId = ListCursor.NewSnapshotId();
                if (source.Count > pageSize)
                {
                    user.Snapshots[(deviceId, list)] = (snapshotId, source);
                }
            }
            else
            {
                source = user.Snapshots.TryGetValue((deviceId, list), out var walk) && walk.WalkId == cursor.SnapshotId ? walk.Members : throw ListCursor.Expired();
                snapshotId = cursor.SnapshotId;
                offset = cursor.Offset;
            }

            var retentionFloor = RetentionFloor(now);
            var items = new List<ConversationEntry>(pageSize);
            foreach (var member in source.Skip(offset).Take(pageSize))
            {
                if (user.Conversations.GetValueOrDefault(member) is not { } entry)
                {
                    continue; // left the list since the walk began
                }

                items.Add(new ConversationEntry(
                    ConversationRef.FromMember(member),
                    entry.Activity,
                    entry.Created,
                    entry.PinnedTime,
                    entry.Last is { } last && last.Position > retentionFloor ? last.Message : null,
                    entry.Unread.Count,
                    entry.PeerReadTimestamp,
                    entry.Ext));
            }

            var next = offset + pageSize < source.Count ? new ListCursor(list, snapshotId, offset + pageSize) : null;
            return ValueTask.FromResult(new ConversationPage(items, next));
        }
    }

    public ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var now = Environment.TickCount64;
            var operations = User(userId).Operations;
            if (operations.TryGetValue(operationKey, out var entry) && entry.ExpiresAt > now)
            {
                return ValueTask.FromResult(entry.Outcome is null ? default : new OperationClaim(Claimed: false, entry.Outcome));
            }

            operations[operationKey] = (null, now + (long)lease.TotalMilliseconds);
            return ValueTask.FromResult(new OperationClaim(Claimed: true, Outcome: null));
        }
    }

    public ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var operations = User(userId).Operations;
            var now = Environment.TickCount64;
            foreach (var expired in operations.Where(o => o.Value.ExpiresAt <= now).Select(o => o.Key).ToList())
            {
                operations.Remove(expired);
            }

            operations[operationKey] = (outcome, now + (long)window.TotalMilliseconds);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var operations = User(userId).Operations;
            if (operations.TryGetValue(operationKey, out var entry) && entry.Outcome is null)
            {
                operations.Remove(operationKey);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(User(userId).Seq);
        }
    }

    public ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var oldest = user.Events.Count > 0 ? user.Events.Peek().Seq : user.Seq + 1;
            if (sinceSeq > user.Seq || sinceSeq < oldest - 1)
            {
                return ValueTask.FromResult(new SyncEventsResult { LastSeq = user.Seq, ResyncRequired = true });
            }

            var events = user.Events.Where(e => e.Seq > sinceSeq).Take(limit).ToList();
            var hasMore = events.Count > 0 && events[^1].Seq < user.Seq;
            return ValueTask.FromResult(new SyncEventsResult { Events = events, LastSeq = user.Seq, HasMore = hasMore });
        }
    }

    /// <summary>Connections last refreshed before this time (Unix ms) belong to a node that stopped refreshing them.</summary>
    private long StaleBefore(long now) => now - (long)_options.PresenceTimeout.TotalMilliseconds;

    public ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var connections = User(userId).Connections;
            var staleBefore = StaleBefore(now);
            foreach (var stale in connections.Where(c => c.Value < staleBefore).Select(c => c.Key).ToList())
            {
                connections.Remove(stale);
            }

            if (!connections.ContainsKey(connectionId) && connections.Count >= _options.MaxConnectionsPerUser)
            {
                return ValueTask.FromResult(false);
            }

            connections[connectionId] = now;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            User(userId).Connections.Remove(connectionId);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (userId, connectionId) in connections)
            {
                var userConnections = User(userId).Connections;
                if (userConnections.ContainsKey(connectionId))
                {
                    userConnections[connectionId] = now;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Moves the conversation to the top of each participant's list and counts the message unread for recipients.</summary>
    private void Touch(IEnumerable<string> participants, long position, StoredMessage message, long now)
    {
        foreach (var participant in participants)
        {
            var user = User(participant);
            var member = message.ConversationFor(participant).Member;
            var isNew = !user.Conversations.TryGetValue(member, out var entry);
            if (entry is null)
            {
                entry = new ConversationState(message.Timestamp);
                user.Conversations[member] = entry;
            }

            entry.Activity = Math.Max(entry.Activity, message.Timestamp);
            if (entry.Last is not { } last || last.Position < position)
            {
                entry.Last = (position, message);
            }

            if (participant != message.From && position > entry.ReadPosition)
            {
                entry.Unread.TryAdd(message.MsgId, position);
            }

            entry.DropUnreadAtOrBelow(RetentionFloor(now));
            if (isNew)
            {
                Evict(user);
            }
        }
    }

    /// <summary>After a one-way deletion: the last message becomes the newest visible one, and hidden messages stop counting unread.</summary>
    private void AfterHide(string userId, ConversationRef conversation, ChatState chat, long now)
    {
        if (User(userId).Conversations.GetValueOrDefault(conversation.Member) is not { } entry)
        {
            return;
        }

        var retentionFloor = RetentionFloor(now);
        var floor = chat.Floor(userId, retentionFloor);
        entry.DropUnreadAtOrBelow(floor);
        foreach (var id in entry.Unread.Keys.Where(id => chat.IsHidden(userId, id)).ToList())
        {
            entry.Unread.Remove(id);
        }

        if (entry.Last is { } last && !chat.IsVisible(userId, last.Position, last.Message.MsgId, retentionFloor))
        {
            var newest = chat.Messages.LastOrDefault(m => m.Position > floor && !chat.IsHidden(userId, m.Message.MsgId));
            entry.Last = newest.Message is null ? null : newest;
        }
    }

    private bool RecordPeerRead(string peer, string reader, long readTimestamp)
    {
        var entry = User(peer).Conversations.GetValueOrDefault(new ConversationRef(ChatTypes.SingleChat, reader).Member);
        if (entry is null || readTimestamp <= (entry.PeerReadTimestamp ?? 0))
        {
            return false;
        }

        entry.PeerReadTimestamp = readTimestamp;
        return true;
    }

    private MultiDeviceEvent? LeaveGroup(string groupId, string userId, long now)
    {
        var user = User(userId);
        var member = ConversationRef.Group(groupId).Member;
        var was = user.Groups.Remove(groupId);
        var had = user.Forget(member);
        return was || had
            ? user.Append(EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, ConversationRef.Group(groupId), "server", now), _options.EventLogLength)
            : null;
    }

    /// <summary>Drops the least recently active unpinned conversations beyond the per-user limit.</summary>
    private void Evict(UserState user)
    {
        var excess = user.Conversations.Count - _options.MaxConversationsPerUser;
        if (excess <= 0)
        {
            return;
        }

        var victims = user.Conversations
            .Where(c => c.Value.PinnedTime is null)
            .OrderBy(c => c.Value.Activity).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(excess).Select(c => c.Key).ToList();
        victims.ForEach(member => user.Forget(member));
    }

    private ChatState MemberChat(ConversationRef conversation, string userId)
    {
        var chat = Chat(conversation, userId);
        return conversation.IsGroup && chat.Group?.Members.Contains(userId) != true ? throw StoreErrors.NotAMember(conversation.Id) : chat;
    }

    private GroupState ExistingGroup(string groupId) =>
        _chats.GetValueOrDefault(ConversationRef.GroupChatKey(groupId))?.Group
        ?? throw StoreErrors.GroupNotFound(groupId);

    private long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, _options.MessageRetentionDays);

    private static List<string> Ordered(IEnumerable<(string Member, long Score)> scores) =>
        [.. scores.OrderByDescending(c => c.Score).ThenByDescending(c => c.Member, StringComparer.Ordinal).Select(c => c.Member)];

    private UserState User(string userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            user = new UserState();
            _users[userId] = user;
        }

        return user;
    }

    private ChatState Chat(ConversationRef conversation, string viewer)
    {
        var key = conversation.ChatKey(viewer);
        if (!_chats.TryGetValue(key, out var chat))
        {
            chat = new ChatState();
            _chats[key] = chat;
        }

        return chat;
    }
}
