namespace RoamingHub.Server.Storage;

/// <summary>How each participant of a recalled message's chat names the conversation, for both stores.</summary>
internal static class RecallViews
{
    /// <summary>
    /// The conversation as <paramref name="viewer"/> sees the chat that <paramref name="caller"/> names
    /// <paramref name="conversation"/>: a group is the group for everyone; a single chat is the other participant.
    /// </summary>
    public static ConversationRef Of(ConversationRef conversation, string caller, string viewer) =>
        conversation.IsGroup || viewer == caller ? conversation : new ConversationRef(ChatTypes.SingleChat, caller);
}
