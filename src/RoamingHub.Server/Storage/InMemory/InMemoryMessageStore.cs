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
                return state.ChatsHeld.Sum(chat => chat.Dedupe.Count);
            }
        }
    }

    public ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var conversation = new ConversationRef(draft.ChatType, draft.To);
            state.RequireMember(conversation, draft.From);
            var chat = state.WriteChat(conversation, draft.From, now);
            // As in Redis: the send trims the sender's hidden ids past retention and, in single chat, the recipient's.
            chat.Trim(state.RetentionFloor(now), conversation.IsGroup ? [draft.From] : [draft.From, draft.To]);
            chat.ForgetExpiredClientIds(now, (long)state.Options.IdempotencyWindow.TotalMilliseconds);
            var participants = conversation.IsGroup ? [.. state.Groups[conversation.Id].Members] : new[] { draft.From, draft.To };
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

            if (draft.ClientMsgId is { } repeatedId
                && chat.Dedupe.TryGetValue((draft.From, repeatedId), out var sent)
                && sent.ExpiresAt > now
                && chat.RecalledPosition(sent.MsgId) is { } recalledAt)
            {
                // As store_message.lua: the first message was recalled since, so the repeat answers it as sent, rebuilt
                // from the repeat, and brings it back nowhere (its stream entries are answered, nothing is touched).
                var asSent = new StoredMessage(sent.MsgId, draft.ChatType, draft.From, draft.To, MessagePosition.TimestampOf(recalledAt), draft.Type, draft.Body);
                return ValueTask.FromResult(new SendOutcome(asSent, Duplicate: true, participants, AppendToStreams(participants, asSent, now), Recalled: true));
            }

            var position = MessagePosition.Next(now, chat.LastPosition);
            var message = new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, MessagePosition.TimestampOf(position), draft.Type, draft.Body);
            chat.Append(position, message);
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
            state.Expire(now);
            state.RequireMember(conversation, userId);
            var chat = state.FindChat(conversation, userId);
            if (chat is null)
            {
                return query.Cursor is null ? ValueTask.FromResult(new HistoryPage([], null)) : throw StoreErrors.UnknownHistoryCursor();
            }

            // The same walk as fetch_history_messages.lua: from the cursor (or an end), skipping hidden ids, at most
            // HistoryQuery.ScanCap entries looked at; stopped there, the cursor is the last entry looked at.
            var floor = chat.Floor(userId, state.RetentionFloor(now));
            var bound = query.Older ? long.MaxValue : floor;
            if (query.Cursor is not null)
            {
                // A cursor naming a message recalled since keeps its place, as in Redis.
                var position = chat.Find(query.Cursor)?.Position ?? chat.RecalledPosition(query.Cursor) ?? throw StoreErrors.UnknownHistoryCursor();
                bound = query.Older ? position : Math.Max(position, floor);
            }

            var (found, scanned, lastScanned) = chat.Walk(userId, query.Older, bound, floor, query.PageSize + 1, HistoryQuery.ScanCap);
            var next = found.Count > query.PageSize ? found[query.PageSize - 1].Message.MsgId
                : scanned >= HistoryQuery.ScanCap ? lastScanned
                : null;
            var items = found.Take(query.PageSize).Select(m => EncodedMessage.Of(m.Message, m.Position)).ToList();
            return ValueTask.FromResult(new HistoryPage(items, next));
        }
    }

    public ValueTask<StoredMessage?> FindMessageAsync(string userId, ConversationRef conversation, string msgId, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(state.FindChat(conversation, userId)?.Find(msgId)?.Message);
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<HideOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            state.RequireMember(conversation, userId);
            var chat = state.WriteChat(conversation, userId, now);
            // No further than the chat's newest message: a node whose clock is ahead cannot hide later messages.
            var moved = chat.RaiseWatermark(userId, Math.Min(MessagePosition.LastOf(beforeTimestamp), chat.LastPosition));
            var applied = MessagePosition.TimestampOf(chat.Watermarks.GetValueOrDefault(userId));
            AfterHide(userId, conversation, chat, [], now);
            var evt = moved
                ? state.WriteUser(userId, now).Append(EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = applied }, state.Options)
                : null;
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new HideOutcome(applied, null, evt)));
        }
    }

    public ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<HideOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            state.RequireMember(conversation, userId);
            var chat = state.FindChat(conversation, userId);
            var retentionFloor = state.RetentionFloor(now);
            var newly = new List<(string MsgId, long Position)>();
            if (chat is not null)
            {
                var floor = chat.Floor(userId, retentionFloor);
                var hidden = chat.HiddenOf(userId);
                foreach (var msgId in msgIds)
                {
                    if (chat.Find(msgId) is { } message && message.Position > floor && hidden.Add(msgId, message.Position))
                    {
                        newly.Add((msgId, message.Position));
                    }
                }

                if (newly.Count > 0)
                {
                    // As hide_messages.lua: a user who hides but never sends keeps no expired ids either.
                    hidden.RemoveAtOrBelow(retentionFloor);
                    state.WriteChat(conversation, userId, now);
                }
            }

            AfterHide(userId, conversation, chat, newly, now);

            var evt = newly.Count > 0
                ? state.WriteUser(userId, now).Append(
                    EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = [.. newly.Select(h => h.MsgId)] }, state.Options)
                : null;
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new HideOutcome(null, [.. newly.Select(h => h.MsgId)], evt)));
        }
    }

    public ValueTask<RecallOutcome> RecallMessageAsync(string userId, ConversationRef conversation, string msgId, string deviceId, long now, CancellationToken cancellationToken)
    {
        // The chat and every participant's entry change under one lock, so two recalls in one chat cannot interleave
        // (in Redis they can, between the chat step and the user steps: see RedisRecall).
        lock (state.Gate)
        {
            state.Expire(now);
            state.RequireMember(conversation, userId);
            var chat = state.FindChat(conversation, userId);
            var window = (long)state.Options.RecallWindow.TotalMilliseconds;
            if (chat?.Find(msgId) is { } found)
            {
                if (found.Message.From != userId)
                {
                    throw StoreErrors.NotTheSender();
                }

                if (now - found.Message.Timestamp > window)
                {
                    throw StoreErrors.RecallWindowPassed(state.Options.RecallWindow);
                }

                state.WriteChat(conversation, userId, now).Recall(msgId);
            }
            else if (chat?.RecalledPosition(msgId) is null)
            {
                throw StoreErrors.MessageNotFound();
            }

            var retentionFloor = state.RetentionFloor(now);
            IEnumerable<string> participants = conversation.IsGroup ? state.Groups[conversation.Id].Members : [userId, conversation.Id];
            var entries = new List<RecallEntry>();
            foreach (var participant in participants)
            {
                var view = RecallViews.Of(conversation, userId, participant);
                var user = state.WriteUser(participant, now);
                if (user.Conversations.GetValueOrDefault(view.Member) is { } entry)
                {
                    entry.Unread.Remove(msgId);
                    if (entry.Last is { } last && last.Message.MsgId == msgId)
                    {
                        var (newest, _, _) = chat!.Walk(participant, older: true, long.MaxValue, chat.Floor(participant, retentionFloor), want: 1, HistoryQuery.ScanCap);
                        entry.Last = newest.Count == 0 ? null : newest[0];
                    }
                }

                var (logged, appended) = user.Stream.AppendOnce("r:" + msgId, EventTemplate.Recalled(view, msgId, deviceId, now), state.Options);
                entries.Add(new RecallEntry(participant, logged, appended));
            }

            return ValueTask.FromResult(new RecallOutcome(entries));
        }
    }

    /// <summary>Appends the message to each participant's stream, once per msgId, as each of them sees it.</summary>
    private Dictionary<string, StreamEntryRef> AppendToStreams(IEnumerable<string> participants, StoredMessage message, long now) =>
        participants.Distinct(StringComparer.Ordinal)
            .ToDictionary(user => user, user => state.WriteUser(user, now).Stream.AppendMessage(message, user, now, state.Options), StringComparer.Ordinal);

    /// <summary>Moves the conversation to the top of each participant's list and counts the message unread for recipients.</summary>
    private void Touch(IEnumerable<string> participants, long position, StoredMessage message, long now)
    {
        foreach (var participant in participants)
        {
            var user = state.WriteUser(participant, now);
            var member = message.ConversationFor(participant).Member;
            var isNew = !user.Conversations.TryGetValue(member, out var entry);
            if (entry is null)
            {
                entry = new ConversationState(message.Timestamp, state.Work);
                user.Conversations[member] = entry;
            }

            entry.Activity = Math.Max(entry.Activity, message.Timestamp);
            if (entry.Last is not { } last || last.Position < position)
            {
                entry.Last = (position, message);
            }

            if (participant != message.From && position > entry.ReadPosition)
            {
                entry.Unread.Add(message.MsgId, position);
            }

            entry.Unread.RemoveAtOrBelow(state.RetentionFloor(now));
            if (isNew)
            {
                state.Evict(user);
            }
        }
    }

    /// <summary>
    /// After a one-way deletion: the last message becomes the newest visible one, and what is hidden stops counting
    /// unread. Like apply_hidden_messages.lua it touches the ids it just hid and what is at or below the floor, not
    /// every unread id, and looks for the newest visible message at most HistoryQuery.ScanCap entries deep.
    /// </summary>
    private void AfterHide(string userId, ConversationRef conversation, ChatState? chat, IReadOnlyList<(string MsgId, long Position)> hidden, long now)
    {
        if (state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member) is not { } entry)
        {
            return;
        }

        state.WriteUser(userId, now);
        var retentionFloor = state.RetentionFloor(now);
        var floor = chat?.Floor(userId, retentionFloor) ?? retentionFloor;
        entry.Unread.RemoveAtOrBelow(floor);
        foreach (var (msgId, _) in hidden)
        {
            entry.Unread.Remove(msgId);
        }

        if (entry.Last is { } last && chat?.IsVisible(userId, last.Position, last.Message.MsgId, retentionFloor) != true)
        {
            if (chat is null)
            {
                entry.Last = null;
                return;
            }

            var (found, _, _) = chat.Walk(userId, older: true, long.MaxValue, floor, want: 1, HistoryQuery.ScanCap);
            entry.Last = found.Count == 0 ? null : found[0];
        }
    }
}
