using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// One conversation of a user's list read alone, and what the user sets on a conversation beyond its pin and ext:
/// mute, the unread mark and marks, with the walk through the conversations of one mark. Times and operation keys
/// work as in <see cref="IConversationStore"/>: each change logs its event in the same atomic step, and a change given
/// an operation key keeps its outcome under it.
/// </summary>
internal interface IConversationSettingsStore
{
    /// <summary>The conversation as a page of the list shows it, or null when it is not in the user's list; one round trip.</summary>
    ValueTask<ConversationEntry?> GetConversationAsync(string userId, ConversationRef conversation, long now, CancellationToken cancellationToken);

    /// <summary>
    /// Mutes (until <paramref name="mutedUntil"/>, or without an end when null) or unmutes a conversation and logs
    /// <c>CONVERSATION_MUTED</c> or <c>CONVERSATION_UNMUTED</c> when that changed the mute as it holds at
    /// <paramref name="now"/>. Muting a conversation the user does not have creates it, as pinning does; muting a
    /// group the user is not in throws <c>FORBIDDEN</c>.
    /// </summary>
    ValueTask<MuteOutcome> SetConversationMutedAsync(string userId, ConversationRef conversation, bool muted, long? mutedUntil, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>Marks a conversation unread and logs <c>CONVERSATION_MARKED_UNREAD</c>; null when it was marked already. Throws <c>NOT_FOUND</c>.</summary>
    ValueTask<MultiDeviceEvent?> MarkConversationUnreadAsync(string userId, ConversationRef conversation, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// Adds and removes marks (as bits; a mark in both is removed) and logs <c>CONVERSATION_MARKS_UPDATED</c> with
    /// the new marks when they changed. Throws <c>NOT_FOUND</c>.
    /// </summary>
    ValueTask<MarksOutcome> SetConversationMarksAsync(string userId, ConversationRef conversation, int add, int remove, string deviceId, long now, string? operationKey, CancellationToken cancellationToken);

    /// <summary>
    /// One page of the user's conversations that carry <paramref name="mark"/>, newest activity first, walked as
    /// <see cref="IConversationStore.FetchConversationsAsync"/> walks the list (a snapshot per device).
    /// </summary>
    ValueTask<ConversationPage> FetchMarkedConversationsAsync(string userId, string deviceId, int mark, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken);
}

/// <summary>The mute after a call, as it holds at the call's time; <see cref="Event"/> is null when the call changed nothing.</summary>
internal sealed record MuteOutcome(bool Muted, long? MutedUntil, MultiDeviceEvent? Event);

/// <summary>The marks (as bits) after a call; <see cref="Event"/> is null when the call changed nothing.</summary>
internal sealed record MarksOutcome(int Marks, MultiDeviceEvent? Event);
