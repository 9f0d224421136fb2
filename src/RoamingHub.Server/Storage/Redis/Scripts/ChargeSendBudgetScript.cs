using StackExchange.Redis;
using static RoamingHub.Server.Storage.Redis.Scripts.ScriptArgs;

namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>Calls <c>charge_send_budget.lua</c>: takes a send's cost from one bucket of the send limit, or gives it back.</summary>
internal static class ChargeSendBudgetScript
{
    private static readonly RedisScript Script = RedisScript.Get("charge_send_budget.lua");

    /// <summary>Whether the cost was taken (or given back), and the cost; <see cref="ScriptStatus.NotAMember"/> for a sender outside the group.</summary>
    public sealed record Reply(ScriptStatus Status, bool Done, long Cost);

    /// <summary>Takes the member count of <paramref name="groupId"/> from the group's bucket, when <paramref name="sender"/> is a member.</summary>
    public static Task<Reply> TakeFromGroupAsync(RedisStoreContext store, string groupId, string sender, long now)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var limits = store.Options.RateLimit;
        return RunAsync(store, [store.Keys.GroupSendBudget(chat), store.Keys.GroupMembers(chat)], "take", "", limits.SendCostPerGroupPerSecond, limits.SendCostPerGroupBurst, now, sender);
    }

    /// <summary>Gives <paramref name="cost"/> back to the group's bucket, for a send the sender's own bucket refused.</summary>
    public static Task<Reply> RefundGroupAsync(RedisStoreContext store, string groupId, long cost, long now)
    {
        var limits = store.Options.RateLimit;
        return RunAsync(store, [store.Keys.GroupSendBudget(ConversationRef.GroupChatKey(groupId))], "refund", Number(cost), limits.SendCostPerGroupPerSecond, limits.SendCostPerGroupBurst, now, "");
    }

    /// <summary>Takes <paramref name="cost"/> from the user's bucket.</summary>
    public static Task<Reply> TakeFromUserAsync(RedisStoreContext store, string userId, long cost, long now)
    {
        var limits = store.Options.RateLimit;
        return RunAsync(store, [store.Keys.SendBudget(userId)], "take", Number(cost), limits.SendCostPerUserPerSecond, limits.SendCostPerUserBurst, now, "");
    }

    private static async Task<Reply> RunAsync(RedisStoreContext store, RedisKey[] keys, string mode, RedisValue cost, int perSecond, int burst, long now, string sender)
    {
        var reply = await Script.RunAsync(store.Db, keys, [mode, cost, perSecond, burst, Number(now), sender]).ConfigureAwait(false);
        return reply.Status == ScriptStatus.Ok ? new Reply(reply.Status, reply.Number(1) == 1, reply.Number(2)) : new Reply(reply.Status, false, 0);
    }
}
