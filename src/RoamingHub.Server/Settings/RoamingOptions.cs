using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace RoamingHub.Server.Settings;

/// <summary>Limits of the roaming service, bound from the <c>Roaming</c> configuration section.</summary>
public sealed class RoamingOptions
{
    public const string Section = "Roaming";

    /// <summary>Conversations kept per user; beyond it the least recently active unpinned one leaves the list.</summary>
    [Range(1, 100_000)]
    public int MaxConversationsPerUser { get; set; } = 100;

    /// <summary>Pinned conversations per user; must stay below <see cref="MaxConversationsPerUser"/>.</summary>
    [Range(1, 10_000)]
    public int MaxPinnedConversations { get; set; } = 50;

    /// <summary>
    /// Entries (events, messages, read acknowledgements) kept per user's stream for <c>SyncEvents</c>; the default
    /// is sized in docs/reliability.md ("How long a device can be offline").
    /// </summary>
    [Range(10, 1_000_000)]
    public int EventLogLength { get; set; } = 3000;

    /// <summary>Entries older than this leave the user's stream too; a device further behind must resync.</summary>
    public TimeSpan EventLogRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Connections one user may hold at once, across all nodes.</summary>
    [Range(1, 1000)]
    public int MaxConnectionsPerUser { get; set; } = 10;

    /// <summary>Members one group may hold.</summary>
    [Range(2, 100_000)]
    public int MaxGroupMembers { get; set; } = 500;

    /// <summary>Largest conversation extension field, in UTF-8 bytes.</summary>
    [Range(1, 65_536)]
    public int MaxExtBytes { get; set; } = 1024;

    /// <summary>Largest message body, in UTF-8 bytes.</summary>
    [Range(1, 1_048_576)]
    public int MaxMessageBodyBytes { get; set; } = 8 * 1024;

    /// <summary>How long after sending a message its sender may still recall it (<c>RecallMessage</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "7.00:00:00")]
    public TimeSpan RecallWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Messages older than this are removed from the store.</summary>
    [Range(1, 36_500)]
    public int MessageRetentionDays { get; set; } = 30;

    /// <summary>
    /// How long a user's own state (lists, pins, read points, unread counts, the stream) outlives the user's last
    /// activity: any change to it (a message received included) and the user's own list and stream reads. Unset, it
    /// is <see cref="ChatLifetime"/>, so the state a message leaves with a user who never connects goes when the
    /// message's chat does. Renewed at most once a minute, or every quarter of it if that is shorter.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "36500.00:00:00")]
    public TimeSpan? UserInactivityLifetime { get; set; }

    /// <summary>How long a chat's history outlives its newest message: retention and a day.</summary>
    internal TimeSpan ChatLifetime => TimeSpan.FromDays(MessageRetentionDays + 1);

    /// <summary>The <see cref="UserInactivityLifetime"/> in effect.</summary>
    internal TimeSpan UserLifetime => UserInactivityLifetime ?? ChatLifetime;

    /// <summary>
    /// Whether messages sent through <c>POST /api/messages</c> create and move conversations in lists like hub sends.
    /// Off by default, as in the IM clouds users come from: server notices go into history and are delivered live only.
    /// </summary>
    public bool RestMessagesUpdateConversations { get; set; }

    /// <summary>How long a <c>clientMsgId</c> is remembered, so a retry within it stores nothing new.</summary>
    public TimeSpan IdempotencyWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Runs the node on the embedded in-memory store outside Development: one node only, and its state is lost when the
    /// process stops. Without it, a node with no <c>ConnectionStrings:Redis</c> refuses to start outside Development,
    /// so a connection string that went missing cannot silently give each node state of its own.
    /// </summary>
    public bool UseEmbeddedStore { get; set; }

    /// <summary>Prefix of every Redis key and backplane channel; lets several deployments share one Redis.</summary>
    [RegularExpression("^[a-zA-Z0-9_.-]{1,32}$")]
    public string RedisKeyPrefix { get; set; } = "rh";

    /// <summary>How long an unfinished walk through a list keeps its snapshot (each page renews it).</summary>
    public TimeSpan ListCursorLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a store call may take before it fails with <c>UNAVAILABLE</c>; while Redis is unreachable calls fail
    /// at once rather than queueing.
    /// </summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Token buckets that bound how fast one connection and one user (on each node) may invoke hub methods.</summary>
    [ValidateObjectMembers]
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>How often each node tells the store it is alive, and reads which other nodes are.</summary>
    public TimeSpan NodeHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A node not heard from for this long is dead: its connections stop counting against
    /// <see cref="MaxConnectionsPerUser"/>, so its users' devices are admitted on other nodes.
    /// </summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often each node rewrites its connections' records from the connections it actually holds: records it no
    /// longer holds stop counting and lost ones come back. A node also rewrites at once when it finds the store lost
    /// or restored its data.
    /// </summary>
    public TimeSpan PresenceRewriteInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Pushes waiting to be written to one connection; a connection that falls further behind is closed and resumes from its seq.</summary>
    [Range(1, 1_000_000)]
    public int ConnectionOutboxLength { get; set; } = 1000;
}

/// <summary>
/// Checks every range declared on <see cref="RoamingOptions"/> and, through <see cref="ValidateObjectMembersAttribute"/>, on
/// <see cref="RateLimitOptions"/>: validation by data annotations alone stops at the top level, so a nested bound was
/// declared but never checked. Generated at build time.
/// </summary>
[OptionsValidator]
internal sealed partial class RoamingOptionsValidator : IValidateOptions<RoamingOptions>;

/// <summary>Invocation rate limits, bound from <c>Roaming:RateLimit</c>; generous for real apps, tight for floods.</summary>
public sealed class RateLimitOptions
{
    [Range(1, 1_000_000)]
    public int PerConnectionPerSecond { get; set; } = 50;

    [Range(1, 1_000_000)]
    public int PerConnectionBurst { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int PerUserPerSecond { get; set; } = 200;

    [Range(1, 1_000_000)]
    public int PerUserBurst { get; set; } = 400;

    /// <summary>
    /// What one user's group messages may cost, all their connections on all nodes together, in recipients per second
    /// (a message to a group costs its member count); kept in the store. A group message costs Redis about 80 µs per
    /// recipient (docs/benchmarks.md), so one user flooding a group of 500 at this limit keeps Redis about 8 % busy.
    /// </summary>
    [Range(1, 100_000_000)]
    public int SendCostPerUserPerSecond { get; set; } = 1_000;

    /// <summary>The recipients a user may reach at once after a quiet spell: four messages to a full group of 500.</summary>
    [Range(1, 100_000_000)]
    public int SendCostPerUserBurst { get; set; } = 2_000;

    /// <summary>What the messages to one group may cost, every sender together, in recipients per second (twice a user's).</summary>
    [Range(1, 100_000_000)]
    public int SendCostPerGroupPerSecond { get; set; } = 2_000;

    /// <summary>The recipients one group's messages may reach at once after a quiet spell.</summary>
    [Range(1, 100_000_000)]
    public int SendCostPerGroupBurst { get; set; } = 4_000;
}
