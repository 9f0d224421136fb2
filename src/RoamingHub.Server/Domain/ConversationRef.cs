
namespace RoamingHub.Server.Domain;

/// <summary>
/// A conversation as one user sees it: its chat type and its id (in single chat, the other participant; in group
/// chat, the group). <see cref="Member"/> is the compact form stored in the user's sorted sets.
/// </summary>
internal readonly record struct ConversationRef(string ChatType, string Id)
{
    private const string SinglePrefix = "s:";
    private const string GroupPrefix = "g:";

    public bool IsGroup => ChatType == ChatTypes.GroupChat;

    /// <summary>Sorted-set member for this conversation: <c>s:bob</c> or <c>g:team</c>.</summary>
    public string Member => (IsGroup ? GroupPrefix : SinglePrefix) + Id;

    /// <summary>
    /// The chat whose history this conversation shows, the same for every participant: <c>s:alice|bob</c> (ids in
    /// ordinal order) or <c>g:team</c>.
    /// </summary>
    public string ChatKey(string viewer) =>
        IsGroup ? GroupChatKey(Id)
        : string.CompareOrdinal(viewer, Id) <= 0 ? $"{SinglePrefix}{viewer}|{Id}" : $"{SinglePrefix}{Id}|{viewer}";

    public static ConversationRef FromMember(string member) =>
        member.StartsWith(SinglePrefix, StringComparison.Ordinal) ? new ConversationRef(ChatTypes.SingleChat, member[SinglePrefix.Length..])
        : member.StartsWith(GroupPrefix, StringComparison.Ordinal) ? new ConversationRef(ChatTypes.GroupChat, member[GroupPrefix.Length..])
        : throw new FormatException($"Unknown conversation member '{member}'.");

    public static ConversationRef Group(string groupId) => new(ChatTypes.GroupChat, groupId);

    /// <summary>The chat key of a group, which is the same for every viewer.</summary>
    public static string GroupChatKey(string groupId) => GroupPrefix + groupId;

    /// <summary>Validates a conversation a caller names; throws <c>INVALID_ARGUMENT</c>, also for a single chat with oneself.</summary>
    public static ConversationRef Parse(string? chatType, string? conversationId, string caller)
    {
        var conversation = new ConversationRef(ParseChatType(chatType), Ids.Canonicalize(conversationId, "conversationId"));
        return !conversation.IsGroup && conversation.Id == caller
            ? throw RoamingException.InvalidArgument("conversationId must be another user.")
            : conversation;
    }

    public static string ParseChatType(string? chatType) => chatType switch
    {
        ChatTypes.SingleChat => ChatTypes.SingleChat,
        ChatTypes.GroupChat => ChatTypes.GroupChat,
        null or "" => throw RoamingException.InvalidArgument("chatType is required."),
        _ => throw RoamingException.InvalidArgument($"chatType must be '{ChatTypes.SingleChat}' or '{ChatTypes.GroupChat}'."),
    };
}
