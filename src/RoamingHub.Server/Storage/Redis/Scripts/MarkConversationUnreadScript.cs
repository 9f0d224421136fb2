using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>mark_conversation_unread.lua</c>: marks a conversation unread and logs the event.</summary>
internal static class MarkConversationUnreadScript
{
    private static readonly RedisScript Script = RedisScript.Get("mark_conversation_unread.lua");

    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static Task<EventReply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, MultiDeviceEvent template, string? operationKey) =>
        ConversationEventScript.RunAsync(Script, store, userId, conversation, template, operationKey);
}
