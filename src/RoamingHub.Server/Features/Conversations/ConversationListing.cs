using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>Reads one page of a user's conversation or pin list and shapes it for the wire.</summary>
internal static class ConversationListing
{
    public static async ValueTask<Page<Conversation>> ReadPageAsync(
        IConversationStore conversations, Caller caller, ConversationList list, FetchConversationsRequest request, long now, CancellationToken cancellationToken)
    {
        var pageSize = Paging.PageSize(request.PageSize);
        var cursor = ListCursor.Parse(request.Cursor, list);
        var page = await conversations.FetchConversationsAsync(caller.UserId, caller.DeviceId, list, cursor, pageSize, now, cancellationToken).ConfigureAwait(false);
        return ToWire(page, caller.UserId, now);
    }

    /// <summary>A page as the wire carries it.</summary>
    public static Page<Conversation> ToWire(ConversationPage page, string userId, long now) => new()
    {
        Data = [.. page.Items.Select(entry => ToWire(entry, userId, now))],
        Cursor = page.Next?.Encode(),
    };

    /// <summary>A conversation as the wire carries it, its mute as it holds at <paramref name="now"/>.</summary>
    public static Conversation ToWire(ConversationEntry entry, string userId, long now)
    {
        var settings = entry.Settings ?? ConversationSettings.None;
        var muted = settings.MutedAt(now);
        return new()
        {
            ConversationId = entry.Conversation.Id,
            ChatType = entry.Conversation.ChatType,
            LastMessage = entry.LastMessage?.ToWire(userId),
            ActivityTime = entry.ActivityTime,
            CreatedTime = entry.CreatedTime,
            IsPinned = entry.PinnedTime is not null,
            PinnedTime = entry.PinnedTime,
            UnreadCount = entry.UnreadCount,
            Ext = entry.Ext,
            PeerReadTimestamp = entry.PeerReadTimestamp,
            Muted = muted,
            MutedUntil = muted ? settings.MutedUntil : null,
            MarkedUnread = settings.MarkedUnread,
            Marks = settings.MarkList,
        };
    }
}
