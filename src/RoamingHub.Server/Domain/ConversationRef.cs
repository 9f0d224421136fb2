using RoamingHub.Contracts;

namespace RoamingHub.Server.Domain;

/// <summary>
/// A conversation as one user sees it: its chat type and its id (in single chat, the other participant).
/// <see cref="Member"/> is the compact form stored in the user's sorted sets.
/// </summary>
internal readonly record struct ConversationRef(string ChatType, string Id)
{
    private const string SinglePrefix = "s:";

    /// <summary>Sorted-set member for this conversation: <c>s:bob</c>.</summary>
    public string Member => ChatType switch
    {
        ChatTypes.SingleChat => SinglePrefix + Id,
        _ => throw new InvalidOperationException($"Unknown chat type {ChatType}."),
    };

    public static ConversationRef FromMember(string member) =>
        member.StartsWith(SinglePrefix, StringComparison.Ordinal)
            ? new ConversationRef(ChatTypes.SingleChat, member[SinglePrefix.Length..])
            : throw new FormatException($"Unknown conversation member '{member}'.");

    /// <summary>Validates a conversation named by a client; throws <c>INVALID_ARGUMENT</c>.</summary>
    public static ConversationRef Parse(string? chatType, string? conversationId) =>
        new(ParseChatType(chatType), Ids.Canonicalize(conversationId, "conversationId"));

    public static string ParseChatType(string? chatType) => chatType switch
    {
        ChatTypes.SingleChat => ChatTypes.SingleChat,
        null or "" => throw RoamingException.InvalidArgument("chatType is required."),
        _ => throw RoamingException.InvalidArgument($"chatType must be '{ChatTypes.SingleChat}'."),
    };
}
