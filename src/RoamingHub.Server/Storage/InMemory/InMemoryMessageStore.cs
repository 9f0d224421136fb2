using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's history: sends with deduplication, pages of history and one-way deletions.</summary>
internal sealed class InMemoryMessageStore(InMemoryState state) : IMessageStore
{
    /// <summary>How many client message ids all chats remember for deduplication.</summary>
    public int ClientMsgIdsHeld
    {
        get
        {
            lock (state.Gate)
            {
                return state.Chats.Values.Sum(chat => chat.Dedupe.Count);
            }
        }
    }

    public ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var conversation = new ConversationRef(draft.ChatType, draft.To);
            var chat = state.Chat(conversation, draft.From);
            if (conversation.IsGroup && chat.Group?.Members.Contains(draft.From) != true)
            {
                throw StoreErrors.NotAMember(draft.To);
            }

            chat.Trim(state.RetentionFloor(now));
            chat.ForgetExpiredClientIds(now, (long)state.Options.IdempotencyWindow.TotalMilliseconds);
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

                return ValueTask.FromResult(new SendOutcome(first.Message, Duplicate: true, participants, AppendToStreams(participants, first.Message, now)));
            }

            var position = MessagePosition.Next(now, chat.LastPosition);
            chat.LastPosition = position;
            var message = new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, MessagePosition.TimestampOf(position), draft.Type, draft.Body);
            chat.Messages.Add((position, message));
            if (draft.ClientMsgId is { } id)
            {
                chat.Dedupe[(draft.From, id)] = (draft.MsgId, now + (long)state.Options.IdempotencyWindow.TotalMilliseconds);
            }

            if (updateConversations)
            {
                Touch(participants, position, message, now);
            }

            return ValueTask.FromResult(new SendOutcome(message, Duplicate: false, participants, AppendToStreams(participants, message, now)));
        }
    }

    public ValueTask<HistoryPage> FetchHistoryMessagesAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var chat = state.MemberChat(conversation, userId);
            var floor = chat.Floor(userId, state.RetentionFloor(now));
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

    public ValueTask<StoredMessage?> FindMessageAsync(string userId, ConversationRef conversation, string msgId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.Chats.GetValueOrDefault(conversation.ChatKey(userId))?.Find(msgId)?.Message);
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var chat = state.MemberChat(conversation, userId);
            var moved = chat.RaiseWatermark(userId, MessagePosition.LastOf(beforeTimestamp));
            var applied = MessagePosition.TimestampOf(chat.Watermarks.GetValueOrDefault(userId, MessagePosition.LastOf(beforeTimestamp)));
            AfterHide(userId, conversation, chat, now);
            var evt = moved
                ? state.User(userId).Append(EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = applied }, state.Options)
                : null;
            return ValueTask.FromResult(new HideOutcome(applied, null, evt));
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            var chat = state.MemberChat(conversation, userId);
            var floor = chat.Floor(userId, state.RetentionFloor(now));
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
                ? state.User(userId).Append(EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = newly }, state.Options)
                : null;
            return ValueTask.FromResult(new HideOutcome(null, newly, evt));
        }
    }

    /// <summary>Appends the message to each participant's stream, once per msgId, as each of them sees it.</summary>
    private Dictionary<string, StreamEntryRef> AppendToStreams(IEnumerable<string> participants, StoredMessage message, long now) =>
        participants.Distinct(StringComparer.Ordinal)
            .ToDictionary(user => user, user => state.User(user).Stream.AppendMessage(message, user, now, state.Options), StringComparer.Ordinal);

    /// <summary>Moves the conversation to the top of each participant's list and counts the message unread for recipients.</summary>
    private void Touch(IEnumerable<string> participants, long position, StoredMessage message, long now)
    {
        foreach (var participant in participants)
        {
            var user = state.User(participant);
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

            entry.DropUnreadAtOrBelow(state.RetentionFloor(now));
            if (isNew)
            {
                state.Evict(user);
            }
        }
    }

    /// <summary>After a one-way deletion: the last message becomes the newest visible one, and hidden messages stop counting unread.</summary>
    private void AfterHide(string userId, ConversationRef conversation, ChatState chat, long now)
    {
        if (state.User(userId).Conversations.GetValueOrDefault(conversation.Member) is not { } entry)
        {
            return;
        }

        var retentionFloor = state.RetentionFloor(now);
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
}
