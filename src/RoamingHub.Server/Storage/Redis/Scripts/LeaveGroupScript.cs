using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>leave_group.lua</c>: the user's side of leaving a group.</summary>
internal static class LeaveGroupScript
{
    private static readonly RedisScript Script = RedisScript.Get("leave_group.lua");

    /// <summary>Takes <paramref name="groupId"/> out of <paramref name="userId"/>'s groups and list and logs <paramref name="template"/>.</summary>
    public static async Task<EventReply> RunAsync(RedisStoreContext store, string userId, string groupId, MultiDeviceEvent template)
    {
        var member = ConversationRef.Group(groupId).Member;
        var reply = await Script.RunAsync(
            store.Db,
            store.Keys.UserScriptKeys(userId, member),
            [groupId, member, store.UserBounds(template.Timestamp), RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return new EventReply(reply.Status, reply.Status == ScriptStatus.Ok ? reply.Entry(1) : null);
    }
}
