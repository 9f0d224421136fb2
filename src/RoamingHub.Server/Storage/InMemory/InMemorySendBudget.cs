namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// The send limit of the embedded store: the same buckets as the Redis store's, held with the rest of the state
/// behind its lock. A bucket full again is what a new one would be, so buckets are dropped once full.
/// </summary>
internal sealed class InMemorySendBudget(InMemoryState state) : ISendBudget
{
    private const int SweepAbove = 10_000;
    private readonly Dictionary<string, SendBucket> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SendBucket> _groups = new(StringComparer.Ordinal);

    public ValueTask ChargeGroupSendAsync(string userId, string groupId, long now, CancellationToken cancellationToken)
    {
        var limits = state.Options.RateLimit;
        lock (state.Gate)
        {
            if (state.Groups.GetValueOrDefault(groupId) is not { } group || !group.Members.Contains(userId))
            {
                return ValueTask.CompletedTask;
            }

            var cost = group.Members.Count;
            var groupBucket = Read(_groups, groupId, now, limits.SendCostPerGroupPerSecond, limits.SendCostPerGroupBurst);
            if (!groupBucket.Allows(cost, limits.SendCostPerGroupBurst))
            {
                throw SendBudgetErrors.GroupLimited(groupId);
            }

            var userBucket = Read(_users, userId, now, limits.SendCostPerUserPerSecond, limits.SendCostPerUserBurst);
            if (!userBucket.Allows(cost, limits.SendCostPerUserBurst))
            {
                throw SendBudgetErrors.UserLimited();
            }

            _groups[groupId] = groupBucket with { Tokens = groupBucket.Tokens - cost };
            _users[userId] = userBucket with { Tokens = userBucket.Tokens - cost };
            Sweep(_groups, now, limits.SendCostPerGroupPerSecond, limits.SendCostPerGroupBurst);
            Sweep(_users, now, limits.SendCostPerUserPerSecond, limits.SendCostPerUserBurst);
        }

        return ValueTask.CompletedTask;
    }

    private static SendBucket Read(Dictionary<string, SendBucket> buckets, string key, long now, int perSecond, int burst) =>
        buckets.TryGetValue(key, out var bucket) ? bucket.Refilled(now, perSecond, burst) : new SendBucket(burst, now);

    private static void Sweep(Dictionary<string, SendBucket> buckets, long now, int perSecond, int burst)
    {
        if (buckets.Count <= SweepAbove)
        {
            return;
        }

        foreach (var (key, bucket) in buckets)
        {
            if (bucket.Refilled(now, perSecond, burst).Tokens >= burst)
            {
                buckets.Remove(key);
            }
        }
    }
}
