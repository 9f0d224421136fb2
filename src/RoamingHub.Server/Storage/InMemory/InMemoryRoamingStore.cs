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

    public ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var conversation = Conversation(draft);
            conversation.Trim(RetentionCutoff(now));

            if (draft.ClientMsgId is { } clientMsgId
                && conversation.Dedupe.TryGetValue((draft.From, clientMsgId), out var seen)
                && seen.ExpiresAt > now
                && conversation.Find(seen.MsgId) is { } first)
            {
                UpdateParticipants(first.Position, first.Message);
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

            UpdateParticipants(position, message);
            return ValueTask.FromResult(new SendOutcome(message, Duplicate: false));
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

    public ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, CancellationToken cancellationToken)
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
                    user.Last.TryGetValue(member, out var last) ? last.Message : null));
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

    private long RetentionCutoff(long now) =>
        (now - (long)TimeSpan.FromDays(_options.MessageRetentionDays).TotalMilliseconds) * MessagePosition.PerMillisecond;

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

    private ConversationState Conversation(MessageDraft draft)
    {
        var key = string.CompareOrdinal(draft.From, draft.To) <= 0 ? $"{draft.From}|{draft.To}" : $"{draft.To}|{draft.From}";
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
        public long LastPosition { get; set; }

        public (long Position, StoredMessage Message)? Find(string msgId)
        {
            var index = Messages.FindIndex(m => m.Message.MsgId == msgId);
            return index < 0 ? null : Messages[index];
        }

        public void Trim(long cutoffPosition)
        {
            var expired = Messages.FindIndex(m => m.Position > cutoffPosition);
            Messages.RemoveRange(0, expired < 0 ? Messages.Count : expired);
        }
    }
}
