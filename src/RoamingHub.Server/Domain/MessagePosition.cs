namespace RoamingHub.Server.Domain;

/// <summary>
/// The score of a message in its conversation's sorted set: Unix milliseconds × 1024 plus a counter, assigned as
/// <c>max(now × 1024, previous + 1)</c> when the message is stored. Positions are unique and strictly increasing per
/// conversation, so paging is exact even when hundreds of messages share one millisecond, and the value stays below
/// 2^53 (exact in a double, and in Lua) until the year 2248.
/// </summary>
internal static class MessagePosition
{
    public const long PerMillisecond = 1024;

    public static long Next(long nowMs, long previous) => Math.Max(nowMs * PerMillisecond, previous + 1);

    public static long TimestampOf(long position) => position / PerMillisecond;

    /// <summary>The latest timestamp a position can hold exactly (2^53 / 1024 ms, in the year 2248).</summary>
    public const long MaxTimestamp = (1L << 53) / PerMillisecond - 1;

    /// <summary>
    /// The highest position a message stored at or before <paramref name="timestamp"/> can have. Times beyond
    /// <see cref="MaxTimestamp"/> mean "everything", so they are clamped rather than overflowing.
    /// </summary>
    public static long LastOf(long timestamp) => ((Math.Min(timestamp, MaxTimestamp) + 1) * PerMillisecond) - 1;

    /// <summary>Messages at or below this position are past retention at <paramref name="now"/>.</summary>
    public static long RetentionFloor(long now, int retentionDays) =>
        LastOf(now - (long)TimeSpan.FromDays(retentionDays).TotalMilliseconds);
}
