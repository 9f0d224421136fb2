namespace RoamingHub.Server.Storage;

/// <summary>
/// The cost-weighted send limit: token buckets in the store, one per user and one per group, so a limit holds across
/// every connection on every node. A message to a group costs its member count (what it costs the store to deliver);
/// a single-chat message is not charged here, the per-connection and per-user call limits of each node bound it.
/// Times are passed in by the caller (from <see cref="TimeProvider"/>), never read by a store.
/// </summary>
internal interface ISendBudget
{
    /// <summary>
    /// Charges a message from <paramref name="userId"/> to <paramref name="groupId"/>, before anything is stored: the
    /// group's bucket, then the sender's; throws <c>RATE_LIMITED</c> (and leaves both as they were) when either holds
    /// less than the message costs, or than its burst for a group larger than the burst. A sender who is not a member
    /// is not charged (the send itself is refused).
    /// </summary>
    ValueTask ChargeGroupSendAsync(string userId, string groupId, long now, CancellationToken cancellationToken);
}

/// <summary>The words of a send beyond the limit, the same in both stores.</summary>
internal static class SendBudgetErrors
{
    public static RoamingException UserLimited() =>
        new(ErrorCodes.RateLimited, "Too many group messages from this user for now (each costs its group's member count); slow down and retry.");

    public static RoamingException GroupLimited(string groupId) =>
        new(ErrorCodes.RateLimited, $"Too many messages to group {groupId} for now; slow down and retry.");
}

/// <summary>
/// A token bucket as both stores keep it: <paramref name="Tokens"/> at <paramref name="At"/> (Unix ms), refilled from
/// elapsed time when used. <c>Redis/Scripts/charge_send_budget.lua</c> does the same arithmetic.
/// </summary>
internal readonly record struct SendBucket(double Tokens, long At)
{
    /// <summary>The bucket at <paramref name="now"/>: refilled, never above the burst, never back in time.</summary>
    public SendBucket Refilled(long now, int perSecond, int burst) =>
        now <= At ? this : new SendBucket(Math.Min(burst, Tokens + ((now - At) * (double)perSecond / 1000)), now);

    /// <summary>Whether a send of <paramref name="cost"/> may go: the bucket holds its cost, or its whole burst for a larger one.</summary>
    public bool Allows(long cost, int burst) => Tokens >= Math.Min(cost, burst);
}
