using Microsoft.Extensions.Options;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// What every capability of the Redis store shares: the connection, the keys, the limits, and the lifetimes and
/// floors derived from them, so each is computed in one place.
/// </summary>
/// <remarks>The publisher is the delivery layer, for the scripts that publish their entry's push; the store's own tests pass none.</remarks>
internal sealed class RedisStoreContext(IConnectionMultiplexer redis, IOptions<RoamingOptions> options, IEntryPublisher? publisher = null)
{
    /// <summary>Most entries one history call walks past (hidden ones included) before it hands back a cursor.</summary>
    public const int HistoryScanCap = HistoryQuery.ScanCap;

    public RoamingOptions Options { get; } = options.Value;

    public RedisKeys Keys { get; } = new(options.Value.RedisKeyPrefix);

    public IDatabase Db => redis.GetDatabase();

    /// <summary>The connection itself, for its events.</summary>
    public IConnectionMultiplexer Multiplexer => redis;

    /// <summary>A chat's keys outlive its newest message by a day, then expire by themselves.</summary>
    public long ChatKeyLifetime => (long)Options.ChatLifetime.TotalMilliseconds;

    /// <summary>A user's keys outlive the user's last activity by this, then expire together (<c>Scripts/lib/user_lifetime.lua</c>).</summary>
    public long UserKeyLifetime => (long)Options.UserLifetime.TotalMilliseconds;

    /// <summary>
    /// An unread set lives as long as its chat's messages: only a new message renews it, so a shorter user lifetime
    /// would let it expire under a user who is active but leaves the conversation unread, while their counts live on.
    /// </summary>
    public long UnreadSetLifetime => ChatKeyLifetime;

    /// <summary>Messages at or below this position are past retention at <paramref name="now"/>.</summary>
    public long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, Options.MessageRetentionDays);

    /// <summary>
    /// The bounds of a user's keys as the user-side scripts read them (<c>length:oldest:now:lifetime</c>): the most
    /// stream entries kept, the time of the oldest entry kept, the time of an entry appended now, and how long the
    /// user's keys outlive their last activity, all Unix ms.
    /// </summary>
    public RedisValue UserBounds(long now) =>
        $"{Options.EventLogLength}:{Math.Max(0, now - (long)Options.EventLogRetention.TotalMilliseconds)}:{now}:{UserKeyLifetime}";

    /// <summary>
    /// The operation key a user-side script stores its reply in, as its extra key (<c>Scripts/lib/operation.lua</c>),
    /// for a call with a <c>clientOpId</c>; null for one without, which stores nothing.
    /// </summary>
    public RedisKey? OperationKey(string userId, string? operationKey) => operationKey is null ? (RedisKey?)null : Keys.Operation(userId, operationKey);

    /// <summary>
    /// Whether an earlier attempt of the operation ran its final user-side script (its reply or the whole outcome is
    /// kept, see <c>Scripts/lib/operation.lua</c>): a resumed call must then not run a chat step again, which could do
    /// more than the kept reply applied. False for a call without a <c>clientOpId</c>.
    /// </summary>
    public async Task<bool> FinalStepRanAsync(string userId, string? operationKey)
    {
        if (operationKey is null)
        {
            return false;
        }

        var kept = (string?)await Db.StringGetAsync(Keys.Operation(userId, operationKey)).ConfigureAwait(false);
        return kept is { Length: > 0 } && kept[0] is not ('P' or 'Q');
    }

    /// <summary>How long a script keeps its reply as the operation's outcome; empty for a call without a <c>clientOpId</c>.</summary>
    public RedisValue OperationWindow(string? operationKey) =>
        operationKey is null ? RedisValue.EmptyString : ((long)Options.IdempotencyWindow.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The three inputs of <c>Scripts/lib/delivery.lua</c> for a push of <paramref name="method"/> to
    /// <paramref name="userId"/>: the channel, the message's head and its target; all empty without a publisher.
    /// </summary>
    public RedisValue[] EntryDelivery(string method, string userId) => publisher is null
        ? [RedisValue.EmptyString, RedisValue.EmptyString, RedisValue.EmptyString]
        : [publisher.Channel.ToString(), publisher.EntryHead(method), publisher.EntryTarget(userId)];

    /// <summary>A user's connections key outlives the last write of any of its records by three rounds, then expires by itself.</summary>
    public TimeSpan ConnectionsLifetime => 3 * Options.PresenceRewriteInterval;

    /// <summary>
    /// Times (Unix ms) before this are more than <c>NodeTimeout</c> ago: a node last heard from before it is dead, and a
    /// connection record written before it counts only through its live node (see <see cref="IPresenceStore"/>).
    /// </summary>
    public long NodeTimeoutFloor(long now) => now - (long)Options.NodeTimeout.TotalMilliseconds;
}
