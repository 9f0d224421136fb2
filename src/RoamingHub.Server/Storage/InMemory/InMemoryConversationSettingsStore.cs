using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>The embedded store's single-conversation read, mute, unread mark and marks, under the one lock of <see cref="InMemoryState"/>.</summary>
internal sealed class InMemoryConversationSettingsStore(InMemoryState state) : IConversationSettingsStore
{
    public ValueTask<ConversationEntry?> GetConversationAsync(string userId, ConversationRef conversation, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member);
            if (entry is null)
            {
                return ValueTask.FromResult<ConversationEntry?>(null);
            }

            // A user's own read renews their lifetime, as a page of the list does.
            state.ReadUser(userId, now);
            return ValueTask.FromResult<ConversationEntry?>(InMemoryWalks.Entry(conversation.Member, entry, state.RetentionFloor(now)));
        }
    }

    public ValueTask<MuteOutcome> SetConversationMutedAsync(
        string userId, ConversationRef conversation, bool muted, long? mutedUntil, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<MuteOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            // After the kept reply, so a retry whose first attempt ran gets that reply however late it comes.
            if (muted && mutedUntil <= now)
            {
                throw StoreErrors.MuteEnded();
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member);
            var current = entry?.Settings ?? ConversationSettings.None;
            var mutedNow = current.MutedAt(now);
            if (muted ? mutedNow && current.MutedUntil == mutedUntil : !mutedNow)
            {
                var there = mutedNow ? new MuteOutcome(true, current.MutedUntil, null) : new MuteOutcome(false, null, null);
                return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, there));
            }

            if (muted && conversation.IsGroup && state.GroupsOfUser.GetValueOrDefault(userId)?.Contains(conversation.Id) != true)
            {
                throw StoreErrors.NotAMember(conversation.Id);
            }

            var user = state.WriteUser(userId, now);
            if (entry is null)
            {
                entry = new ConversationState(now, state.Work);
                user.Conversations[conversation.Member] = entry;
            }

            entry.Settings = current with { Muted = muted, MutedUntil = muted ? mutedUntil : null };
            state.Evict(user);
            var evt = user.Append(
                muted
                    ? EventTemplate.For(MultiDeviceOperations.ConversationMuted, conversation, deviceId, now) with { MutedUntil = mutedUntil }
                    : EventTemplate.For(MultiDeviceOperations.ConversationUnmuted, conversation, deviceId, now),
                state.Options);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new MuteOutcome(muted, muted ? mutedUntil : null, evt)));
        }
    }

    public ValueTask<MultiDeviceEvent?> MarkConversationUnreadAsync(
        string userId, ConversationRef conversation, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<ChangeOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored.Event);
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            if (entry.Settings.MarkedUnread)
            {
                return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new ChangeOutcome(null)).Event);
            }

            var user = state.WriteUser(userId, now);
            entry.Settings = (entry.Settings with { MarkedUnread = true }).WrittenAt(now);
            var evt = user.Append(EventTemplate.For(MultiDeviceOperations.ConversationMarkedUnread, conversation, deviceId, now), state.Options);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new ChangeOutcome(evt)).Event);
        }
    }

    public ValueTask<MarksOutcome> SetConversationMarksAsync(
        string userId, ConversationRef conversation, int add, int remove, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            state.Expire(now);
            if (state.Operations.StoredReply<MarksOutcome>(userId, operationKey) is { } stored)
            {
                return ValueTask.FromResult(stored);
            }

            var entry = state.FindUser(userId)?.Conversations.GetValueOrDefault(conversation.Member) ?? throw StoreErrors.ConversationNotFound();
            var marks = (entry.Settings.Marks | add) & ~remove;
            if (marks == entry.Settings.Marks)
            {
                return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new MarksOutcome(marks, null)));
            }

            var user = state.WriteUser(userId, now);
            entry.Settings = (entry.Settings with { Marks = marks }).WrittenAt(now);
            var evt = user.Append(
                EventTemplate.For(MultiDeviceOperations.ConversationMarksUpdated, conversation, deviceId, now) with { Marks = MarkBits.ToList(marks) },
                state.Options);
            return ValueTask.FromResult(state.Operations.KeepReply(userId, operationKey, new MarksOutcome(marks, evt)));
        }
    }

    public ValueTask<ConversationPage> FetchMarkedConversationsAsync(
        string userId, string deviceId, int mark, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        lock (state.Gate)
        {
            return ValueTask.FromResult(InMemoryWalks.ReadPage(
                state, userId, deviceId, ConversationList.Marked, mark,
                conversations => InMemoryWalks.Ordered(conversations
                    .Where(c => (c.Value.Settings.Marks & (1 << mark)) != 0)
                    .Select(c => (c.Key, c.Value.Activity))),
                cursor, pageSize, now));
        }
    }

    /// <summary>A change's outcome as kept for its operation: the event, or null when nothing changed.</summary>
    private sealed record ChangeOutcome(MultiDeviceEvent? Event);
}
