using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Every Redis key RoamingHub uses, built from one prefix. A user's keys share the hash tag <c>{u:alice}</c>; a
/// single-chat conversation's keys share <c>{s:alice|bob}</c> (participants in ordinal order). Every script touches
/// keys of one tag only, so the store runs on Redis Cluster unchanged. docs/redis-keys.md holds the same table.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>ZSET conversation member (<c>s:bob</c>) → last activity, Unix ms: the conversation list.</summary>
    public RedisKey Conversations(string userId) => User(userId, "convs");

    /// <summary>ZSET conversation member → pin time, Unix ms.</summary>
    public RedisKey Pins(string userId) => User(userId, "pins");

    /// <summary>HASH conversation member → creation time, Unix ms.</summary>
    public RedisKey Created(string userId) => User(userId, "created");

    /// <summary>HASH conversation member → <c>position|message</c> of the newest message the user can see.</summary>
    public RedisKey LastMessages(string userId) => User(userId, "last");

    /// <summary>STRING: the user's newest event sequence number (INCR).</summary>
    public RedisKey EventSeq(string userId) => User(userId, "seq");

    /// <summary>ZSET seq → <c>seq|event</c>: the user's multi-device event log, capped by length.</summary>
    public RedisKey Events(string userId) => User(userId, "events");

    /// <summary>ZSET copy of a list taken when a walk through it began; expires when the walk is abandoned.</summary>
    public RedisKey Snapshot(string userId, string snapshotId) => User(userId, "snap:" + snapshotId);

    /// <summary>ZSET connection id → last refresh, Unix ms: the user's live connections on all nodes.</summary>
    public RedisKey Connections(string userId) => User(userId, "conns");

    /// <summary>ZSET msgId → position (see <c>MessagePosition</c>): the conversation's messages in order.</summary>
    public RedisKey Messages(string from, string to) => Single(from, to, "msgs");

    /// <summary>HASH msgId → message, stored once for both participants.</summary>
    public RedisKey MessageBodies(string from, string to) => Single(from, to, "bodies");

    /// <summary>STRING: position of the conversation's newest message, so positions only grow.</summary>
    public RedisKey MessageClock(string from, string to) => Single(from, to, "clock");

    /// <summary>STRING msgId for a sender's <c>clientMsgId</c>, expiring after the idempotency window.</summary>
    public RedisKey ClientMsgId(string from, string to, string clientMsgId) => Single(from, to, $"cmid:{from}:{clientMsgId}");

    /// <summary>HASH user → watermark position: each participant sees only messages above theirs (one-way deletion by time).</summary>
    public RedisKey Watermarks(string a, string b) => Single(a, b, "wm");

    /// <summary>ZSET msgId → position: messages hidden from <paramref name="userId"/> one by one (one-way deletion by id).</summary>
    public RedisKey Hidden(string a, string b, string userId) => Single(a, b, "hidden:" + userId);

    private RedisKey User(string userId, string suffix) => $"{prefix}:{{u:{userId}}}:{suffix}";

    private RedisKey Single(string a, string b, string suffix) =>
        string.CompareOrdinal(a, b) <= 0 ? $"{prefix}:{{s:{a}|{b}}}:{suffix}" : $"{prefix}:{{s:{b}|{a}}}:{suffix}";
}
