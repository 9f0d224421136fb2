using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The embedded store for a single node without Redis (<c>dotnet run</c> with no configuration). One lock guards
/// everything: simple, and atomic in exactly the places the Redis scripts are. Orders match Redis sorted sets
/// (score, then member by ordinal) so both stores pass one contract suite.
/// </summary>
internal sealed class InMemoryRoamingStore(IOptions<RoamingOptions> options) : IRoamingStore
{
    private const int SnapshotsPerUser = 16;

    private readonly RoamingOptions _options = options.Value;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ConversationState> _conversations = new(StringComparer.Ordinal);

    public ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var conversation = Conversation(draft.From, draft.To);
            conversation.Trim(RetentionFloor(now));

            if (draft.ClientMsgId is { } clientMsgId
                && conversation.Dedupe.TryGetValue((draft.From, clientMsgId), out var seen)
                && seen.ExpiresAt > now
                && conversation.Find(seen.MsgId) is { } first)
            {
                if (updateConversations)
                {
                    UpdateParticipants(first.Position, first.Message);
                }

                return ValueTask.FromResult(new SendOutcome(first.Message, Duplicate: true));
            }

            var position = MessagePosition.Next(now, conversation.LastPosition);
            conversation.LastPosition = position;
            var message = new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, MessagePosition.TimestampOf(position), draft.Type, draft.Body);
            conversation.Messages.Add((position, message));
            if (draft.ClientMsgId is { } id)
            {
                conversation.Dedupe[(draft.From, id)] = (draft.MsgId, now + (long)_options.IdempotencyWindow.TotalMilliseconds);
            }

            if (updateConversations)
            {
                UpdateParticipants(position, message);
            }

            return ValueTask.FromResult(new SendOutcome(message, Duplicate: false));
        }
    }

    public ValueTask<HistoryPage> FetchHistoryAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var state = Conversation(userId, conversation.Id);
            var floor = state.Floor(userId, RetentionFloor(now));
            var messages = state.Messages;
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
                    throw UnknownCursor();
                }
            }

            var step = query.Older ? -1 : 1;
            var found = new List<StoredMessage>(query.PageSize + 1);
            for (var i = start + step; i >= 0 && i < messages.Count && found.Count <= query.PageSize; i += step)
            {
                var (position, message) = messages[i];
                if (position > floor && !state.IsHidden(userId, message.MsgId))
                {
                    found.Add(message);
                }
            }

            var more = found.Count > query.PageSize;
            if (more)
            {
                found.RemoveAt(found.Count - 1);
            }

            return ValueTask.FromResult(new HistoryPage(found, more ? found[^1].MsgId : null));
        }
    }

    public ValueTask<HideOutcome> HideMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var state = Conversation(userId, conversation.Id);
            var moved = state.RaiseWatermark(userId, MessagePosition.LastOf(beforeTimestamp));
            var applied = MessagePosition.TimestampOf(state.Watermarks.GetValueOrDefault(userId, MessagePosition.LastOf(beforeTimestamp)));
            MultiDeviceEvent? evt = null;
            if (moved)
            {
                RefreshLast(userId, conversation, state, now);
                evt = User(userId).Append(new MultiDeviceEvent
                {
                    Operation = MultiDeviceOperations.DeleteRoaming,
                    ConversationId = conversation.Id,
                    ChatType = conversation.ChatType,
                    Timestamp = now,
                    FromDeviceId = deviceId,
                    BeforeTimestamp = applied,
                }, _options.EventLogLength);
            }

            return ValueTask.FromResult(new HideOutcome(applied, null, evt));
        }
    }

    public ValueTask<HideOutcome> HideMessagesAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var state = Conversation(userId, conversation.Id);
            var floor = state.Floor(userId, RetentionFloor(now));
            var hidden = state.HiddenOf(userId);
            var newly = new List<string>();
            foreach (var msgId in msgIds)
            {
                if (state.Find(msgId) is { } message && message.Position > floor && hidden.TryAdd(msgId, message.Position))
                {
                    newly.Add(msgId);
                }
            }

            MultiDeviceEvent? evt = null;
            if (newly.Count > 0)
            {
                RefreshLast(userId, conversation, state, now);
                evt = User(userId).Append(new MultiDeviceEvent
                {
                    Operation = MultiDeviceOperations.DeleteRoaming,
                    ConversationId = conversation.Id,
                    ChatType = conversation.ChatType,
                    Timestamp = now,
                    FromDeviceId = deviceId,
                    MsgIds = newly,
                }, _options.EventLogLength);
            }

            return ValueTask.FromResult(new HideOutcome(null, newly, evt));
        }
    }

    public ValueTask<MultiDeviceEvent> DeleteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var member = conversation.Member;
            if (!user.Activity.Remove(member))
            {
                throw ConversationNotFound();
            }

            user.Pins.Remove(member);
            user.Created.Remove(member);
            user.Last.Remove(member);
            if (deleteRoam)
            {
                var state = Conversation(userId, conversation.Id);
                state.RaiseWatermark(userId, state.LastPosition);
            }

            return ValueTask.FromResult(user.Append(new MultiDeviceEvent
            {
                Operation = MultiDeviceOperations.ConversationDeleted,
                ConversationId = conversation.Id,
                ChatType = conversation.ChatType,
                Timestamp = now,
                FromDeviceId = deviceId,
                DeleteRoam = deleteRoam,
            }, _options.EventLogLength));
        }
    }

    public ValueTask<PinOutcome> SetPinnedAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            var member = conversation.Member;
            var isPinned = user.Pins.TryGetValue(member, out var pinnedTime);
            if (pinned == isPinned)
            {
                return ValueTask.FromResult(new PinOutcome(isPinned, isPinned ? pinnedTime : null, Event: null));
            }

            if (pinned)
            {
                if (user.Pins.Count >= _options.MaxPinnedConversations)
                {
                    throw new RoamingException(ErrorCodes.PinLimitExceeded, $"At most {_options.MaxPinnedConversations} conversations can be pinned.");
                }

                user.Pins[member] = now;
                if (user.Activity.TryAdd(member, now))
                {
                    user.Created[member] = now;
                    Evict(user);
                }
            }
            else
            {
                user.Pins.Remove(member);
            }

            var evt = user.Append(new MultiDeviceEvent
            {
                Operation = pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned,
                ConversationId = conversation.Id,
                ChatType = conversation.ChatType,
                Timestamp = now,
                FromDeviceId = deviceId,
                PinnedTime = pinned ? now : null,
            }, _options.EventLogLength);
            return ValueTask.FromResult(new PinOutcome(pinned, pinned ? now : null, evt));
        }
    }

    public ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var user = User(userId);
            List<string> source;
            string snapshotId;
            var offset = 0;
            if (cursor is null)
            {
                source = Ordered(list == ConversationList.Pinned ? user.Pins : user.Activity);
                snapshotId = ListCursor.NewSnapshotId();
                if (source.Count > pageSize)
                {
                    user.Snapshots[snapshotId] = source;
                    while (user.Snapshots.Count > SnapshotsPerUser)
                    {
                        user.Snapshots.Remove(user.Snapshots.Keys.First());
                    }
                }
            }
            else
            {
                source = user.Snapshots.GetValueOrDefault(cursor.SnapshotId) ?? throw ListCursor.Expired();
                snapshotId = cursor.SnapshotId;
                offset = cursor.Offset;
            }

            var retentionFloor = RetentionFloor(now);
            var items = new List<ConversationEntry>(pageSize);
            foreach (var member in source.Skip(offset).Take(pageSize))
            {
                if (!user.Activity.TryGetValue(member, out var activity))
                {
                    continue; // left the list since the walk began
                }

                items.Add(new ConversationEntry(
                    ConversationRef.FromMember(member),
                    activity,
                    user.Created[member],
                    user.Pins.TryGetValue(member, out var pinnedAt) ? pinnedAt : null,
                    user.Last.TryGetValue(member, out var last) && last.Position > retentionFloor ? last.Message : null));
            }

            var next = offset + pageSize < source.Count ? new ListCursor(list, snapshotId, offset + pageSize) : null;
            return ValueTask.FromResult(new ConversationPage(items, next));
        }
    }

    public ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(User(userId).Seq);
        }
    }

    public ValueTask<SyncEventsResult> ReadEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
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

    public ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var connections = User(userId).Connections;
            var staleBefore = now - (long)_options.PresenceTimeout.TotalMilliseconds;
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

    public ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    private void UpdateParticipants(long position, StoredMessage message)
    {
        foreach (var participant in new[] { message.From, message.To }.Distinct(StringComparer.Ordinal))
        {
            var user = User(participant);
            var member = message.ConversationFor(participant).Member;
            var isNew = !user.Activity.TryGetValue(member, out var activity);
            user.Activity[member] = Math.Max(activity, message.Timestamp);
            user.Created.TryAdd(member, message.Timestamp);
            if (!user.Last.TryGetValue(member, out var last) || last.Position < position)
            {
                user.Last[member] = (position, message);
            }

            if (isNew)
            {
                Evict(user);
            }
        }
    }

    /// <summary>After a one-way deletion, points the user's last message at the newest one they can still see.</summary>
    private void RefreshLast(string userId, ConversationRef conversation, ConversationState state, long now)
    {
        var user = User(userId);
        var member = conversation.Member;
        if (!user.Last.TryGetValue(member, out var last) || state.IsVisible(userId, last.Position, last.Message.MsgId, RetentionFloor(now)))
        {
            return;
        }

        var floor = state.Floor(userId, RetentionFloor(now));
        var newest = state.Messages.LastOrDefault(m => m.Position > floor && !state.IsHidden(userId, m.Message.MsgId));
        if (newest.Message is null)
        {
            user.Last.Remove(member);
        }
        else
        {
            user.Last[member] = newest;
        }
    }

    /// <summary>Drops the least recently active unpinned conversations beyond the per-user limit.</summary>
    private void Evict(UserState user)
    {
        var excess = user.Activity.Count - _options.MaxConversationsPerUser;
        if (excess <= 0)
        {
            return;
        }

        var victims = user.Activity
            .Where(c => !user.Pins.ContainsKey(c.Key))
            .OrderBy(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(excess).Select(c => c.Key).ToList();
        foreach (var member in victims)
        {
            user.Activity.Remove(member);
            user.Created.Remove(member);
            user.Last.Remove(member);
        }
    }

    private long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, _options.MessageRetentionDays);

    private static RoamingException UnknownCursor() =>
        RoamingException.InvalidArgument("cursor is not a message of this conversation.");

    private static RoamingException ConversationNotFound() =>
        RoamingException.NotFound("The conversation is not in this user's list.");

    private static List<string> Ordered(Dictionary<string, long> scores) =>
        [.. scores.OrderByDescending(c => c.Value).ThenByDescending(c => c.Key, StringComparer.Ordinal).Select(c => c.Key)];

    private UserState User(string userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            user = new UserState();
            _users[userId] = user;
        }

        return user;
    }

    private ConversationState Conversation(string a, string b)
    {
        var key = string.CompareOrdinal(a, b) <= 0 ? $"{a}|{b}" : $"{b}|{a}";
        if (!_conversations.TryGetValue(key, out var conversation))
        {
            conversation = new ConversationState();
            _conversations[key] = conversation;
        }

        return conversation;
    }

    private sealed class UserState
    {
        public Dictionary<string, long> Activity { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Created { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Pins { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (long Position, StoredMessage Message)> Last { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, List<string>> Snapshots { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, long> Connections { get; } = new(StringComparer.Ordinal);
        public Queue<MultiDeviceEvent> Events { get; } = new();
        public long Seq { get; private set; }

        public MultiDeviceEvent Append(MultiDeviceEvent template, int capacity)
        {
            var evt = template with { Seq = ++Seq };
            Events.Enqueue(evt);
            while (Events.Count > capacity)
            {
                Events.Dequeue();
            }

            return evt;
        }
    }

    private sealed class ConversationState
    {
        public List<(long Position, StoredMessage Message)> Messages { get; } = [];
        public Dictionary<(string From, string ClientMsgId), (string MsgId, long ExpiresAt)> Dedupe { get; } = [];
        public Dictionary<string, long> Watermarks { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, Dictionary<string, long>> Hidden { get; } = new(StringComparer.Ordinal);
        public long LastPosition { get; set; }

        /// <summary>The user sees only positions above this: their watermark or the retention floor.</summary>
        public long Floor(string userId, long retentionFloor) => Math.Max(Watermarks.GetValueOrDefault(userId), retentionFloor);

        public bool IsHidden(string userId, string msgId) => Hidden.TryGetValue(userId, out var hidden) && hidden.ContainsKey(msgId);

        public bool IsVisible(string userId, long position, string msgId, long retentionFloor) =>
            position > Floor(userId, retentionFloor) && !IsHidden(userId, msgId);

        public Dictionary<string, long> HiddenOf(string userId)
        {
            if (!Hidden.TryGetValue(userId, out var hidden))
            {
                hidden = new Dictionary<string, long>(StringComparer.Ordinal);
                Hidden[userId] = hidden;
            }

            return hidden;
        }

        /// <summary>Moves the user's watermark forward; false when it was already there or beyond.</summary>
        public bool RaiseWatermark(string userId, long position)
        {
            if (Watermarks.GetValueOrDefault(userId) >= position)
            {
                return false;
            }

            Watermarks[userId] = position;
            if (Hidden.TryGetValue(userId, out var hidden))
            {
                // Ids below the watermark are hidden by it already.
                foreach (var id in hidden.Where(h => h.Value <= position).Select(h => h.Key).ToList())
                {
                    hidden.Remove(id);
                }
            }

            return true;
        }

        public (long Position, StoredMessage Message)? Find(string msgId)
        {
            var index = Messages.FindIndex(m => m.Message.MsgId == msgId);
            return index < 0 ? null : Messages[index];
        }

        /// <summary>Drops messages past retention, and the one-way deletions that referred to them.</summary>
        public void Trim(long retentionFloor)
        {
            var kept = Messages.FindIndex(m => m.Position > retentionFloor);
            Messages.RemoveRange(0, kept < 0 ? Messages.Count : kept);
            foreach (var hidden in Hidden.Values)
            {
                foreach (var id in hidden.Where(h => h.Value <= retentionFloor).Select(h => h.Key).ToList())
                {
                    hidden.Remove(id);
                }
            }

            foreach (var user in Watermarks.Where(w => w.Value <= retentionFloor).Select(w => w.Key).ToList())
            {
                Watermarks.Remove(user);
            }
        }
    }
}
