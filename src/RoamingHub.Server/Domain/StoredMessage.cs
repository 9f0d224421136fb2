
namespace RoamingHub.Server.Domain;

/// <summary>A message as stored: once per conversation, the same for both participants.</summary>
internal sealed record StoredMessage(string MsgId, string ChatType, string From, string To, long Timestamp, string Type, string Body)
{
    /// <summary>The conversation this message belongs to, as <paramref name="viewer"/> sees it.</summary>
    public ConversationRef ConversationFor(string viewer) =>
        new(ChatType, ChatType == ChatTypes.GroupChat || !string.Equals(viewer, To, StringComparison.Ordinal) ? To : From);

    /// <summary>The wire object for <paramref name="viewer"/>: <c>conversationId</c> is the conversation as they see it.</summary>
    public Message ToWire(string viewer) => new()
    {
        MsgId = MsgId,
        ConversationId = ConversationFor(viewer).Id,
        ChatType = ChatType,
        From = From,
        To = To,
        Timestamp = Timestamp,
        Type = Type,
        Body = Body,
    };
}
