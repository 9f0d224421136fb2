using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>delete_remote_conversation.lua</c>: removes a conversation from a user's list and logs the event.</summary>
internal static class DeleteRemoteConversationScript
{
    private static readonly RedisScript Script = RedisScript.Get("delete_remote_conversation.lua");

    /// <summary>With <paramref name="operationKey"/>, the reply is stored as that operation's outcome, or is the one stored before.</summary>
    public static Task<EventReply> RunAsync(
        RedisStoreContext store, string userId, ConversationRef conversation, MultiDeviceEvent template, string? operationKey) =>
        ConversationEventScript.RunAsync(Script, store, userId, conversation, template, operationKey);
}
