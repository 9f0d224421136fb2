using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// The send limit in Redis: the group's bucket and the sender's, each a small script under its own tag (they cannot
/// share one script on Redis Cluster). The group's goes first, as it knows the cost; when the sender's then refuses,
/// the group's gets the cost back, so a refused send leaves both buckets as they were (give or take the refill).
/// </summary>
internal sealed class RedisSendBudget(RedisStoreContext store) : ISendBudget
{
    public async ValueTask ChargeGroupSendAsync(string userId, string groupId, long now, CancellationToken cancellationToken)
    {
        var group = await ChargeSendBudgetScript.TakeFromGroupAsync(store, groupId, userId, now).ConfigureAwait(false);
        if (group.Status == ScriptStatus.NotAMember)
        {
            return;
        }

        if (!group.Done)
        {
            throw SendBudgetErrors.GroupLimited(groupId);
        }

        var user = await ChargeSendBudgetScript.TakeFromUserAsync(store, userId, group.Cost, now).ConfigureAwait(false);
        if (!user.Done)
        {
            await ChargeSendBudgetScript.RefundGroupAsync(store, groupId, group.Cost, now).ConfigureAwait(false);
            throw SendBudgetErrors.UserLimited();
        }
    }
}
