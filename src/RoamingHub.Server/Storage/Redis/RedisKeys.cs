using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Every Redis key RoamingHub uses, built from one prefix. A user's keys share the hash tag <c>{u:alice}</c>; a
/// chat's keys share its chat key as tag: <c>{s:alice|bob}</c> (participants in ordinal order) or <c>{g:team}</c>.
/// Every script touches keys of one tag only, so the store runs on Redis Cluster unchanged.
/// docs/redis-keys.md holds the same table.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    // ---- per user: {u:<userId>} ----

    /// <summary>ZSET conversation member (<c>s:bob</c>, <c>g:team</c>) → last activity, Unix ms: the conversation list.</summary>
    public RedisKey Conversations(string userId) => User(userId, "convs");

    /// <summary>ZSET conversation member → pin time, Unix ms.</summary>
    public RedisKey Pins(string userId) => User(userId, "pins");

    /// <summary>HASH conversation member → creation time, Unix ms.</summary>
    public RedisKey Created(string userId) => User(userId, "created");

    /// <summary>HASH conversation member → <c>position|message</c> of the newest message the user can see.</summary>
    public RedisKey LastMessages(string userId) => User(userId, "last");

    /// <summary>STRING: the user's newest event sequence number (INCR).</summary>
    public RedisKey EventSeq(string userId) => User(userId, "seq");

    /// <summary>ZSET seq → entry (<c>seq|time|E|event</c> or <c>seq|time|M|member|msgId|position</c>): the user's stream, capped by length and age.</summary>
    public RedisKey Events(string userId) => User(userId, "events");

    /// <summary>
    /// HASH <c>epoch</c>, <c>run_id</c>, <c>base</c>: the stream's epoch, the Redis run it was last written under and
    /// the seq the epoch began after (see <c>Scripts/lib/event_log.lua</c>).
    /// </summary>
    public RedisKey Stream(string userId) => User(userId, "stream");

    /// <summary>ZSET msgId → seq: the message entries of the user's stream, trimmed with it, so a retried send appends none.</summary>
    public RedisKey StreamMessages(string userId) => User(userId, "stream-msgs");

    /// <summary>HASH conversation member → unread count (only conversations with unread messages).</summary>
    public RedisKey UnreadCounts(string userId) => User(userId, "unread-counts");

    /// <summary>HASH <c>total</c> → unread messages, <c>conversations</c> → conversations with unread: the badge, O(1).</summary>
    public RedisKey UnreadSummary(string userId) => User(userId, "unread-summary");

    /// <summary>ZSET msgId → position: the unread messages of one conversation, so counting stays exact and idempotent.</summary>
    public RedisKey Unread(string userId, string member) => User(userId, "unread:" + member);

    /// <summary>HASH conversation member → read position: the user read every message at or below it.</summary>
    public RedisKey ReadPositions(string userId) => User(userId, "read");

    /// <summary>HASH conversation member → time up to which the other participant read (single chat).</summary>
    public RedisKey PeerReads(string userId) => User(userId, "peer-read");

    /// <summary>HASH conversation member → the user's extension field for it.</summary>
    public RedisKey Exts(string userId) => User(userId, "ext");

    /// <summary>HASH conversation member → <c>mute|unread|marks</c>: mute, the unread mark and marks (<c>Scripts/lib/conversation_settings.lua</c>).</summary>
    public RedisKey Settings(string userId) => User(userId, "settings");

    /// <summary>ZSET <c>mark|member</c> → mark × 2^42 + activity: each mark's conversations by activity, one score range per mark.</summary>
    public RedisKey Marked(string userId) => User(userId, "marked");

    /// <summary>SET of group ids the user is a member of (mirror of each group's member set).</summary>
    public RedisKey Groups(string userId) => User(userId, "groups");

    /// <summary>
    /// STRING: an idempotent operation's claim while it runs, then its outcome (the final script's reply, then the
    /// call's result), expiring after the idempotency window (<c>Scripts/lib/operation.lua</c>).
    /// </summary>
    public RedisKey Operation(string userId, string operationKey) => User(userId, "op:" + operationKey);

    /// <summary>
    /// ZSET copy of a list (<c>a</c>: conversations, <c>p</c>: pins, <c>m</c>: the conversations of one mark) taken when a device began a walk through it, plus
    /// a <c>#walkId</c> member scored -1; one per device and list (a new walk replaces the last), expiring when the
    /// walk is abandoned.
    /// </summary>
    public RedisKey Snapshot(string userId, string list, string deviceId) => User(userId, $"snap:{list}:{deviceId}");

    /// <summary>
    /// ZSET <c>node_id:record_id</c> → when its node last wrote it, Unix ms: the user's connections on all nodes (see
    /// <c>IPresenceStore</c> for which of them count).
    /// </summary>
    public RedisKey Connections(string userId) => User(userId, "conns");

    /// <summary>
    /// The keys every user-side script receives, in the order <c>Scripts/lib/user_keys.lua</c> names them, so each
    /// script declares all it may touch. <paramref name="member"/> selects the conversation's unread set;
    /// <paramref name="extra"/> is a script-specific key of the same user (a list snapshot, or the operation key a
    /// final script stores its reply in).
    /// </summary>
    public RedisKey[] UserScriptKeys(string userId, string member = "-", RedisKey? extra = null) =>
    [
        Conversations(userId), Pins(userId), Created(userId), LastMessages(userId), EventSeq(userId), Events(userId),
        UnreadCounts(userId), UnreadSummary(userId), ReadPositions(userId), PeerReads(userId), Exts(userId), Groups(userId),
        Unread(userId, member), extra ?? User(userId, "-"), Stream(userId), StreamMessages(userId), Settings(userId), Marked(userId),
    ];

    // ---- per deployment ----

    /// <summary>HASH node id → <c>heartbeat_ms:rewritten_since_ms</c>: the nodes that share this Redis and prefix.</summary>
    public RedisKey Nodes => $"{prefix}:nodes";

    // ---- per chat: {s:<a>|<b>} or {g:<groupId>} ----

    /// <summary>ZSET msgId → position (see <c>MessagePosition</c>): the chat's messages in order.</summary>
    public RedisKey Messages(string chat) => Chat(chat, "msgs");

    /// <summary>HASH msgId → message, stored once for every participant.</summary>
    public RedisKey MessageBodies(string chat) => Chat(chat, "bodies");

    /// <summary>STRING: position of the chat's newest message, so positions only grow.</summary>
    public RedisKey MessageClock(string chat) => Chat(chat, "clock");

    /// <summary>STRING msgId for a sender's <c>clientMsgId</c>, expiring after the idempotency window.</summary>
    public RedisKey ClientMsgId(string chat, string from, string clientMsgId) => Chat(chat, $"cmid:{from}:{clientMsgId}");

    /// <summary>
    /// ZSET msgId → position: the chat's recalled messages, gone from <c>msgs</c> and <c>bodies</c>, so a history cursor
    /// naming one keeps its place and a second recall is known as one; trimmed by retention, expiring with the chat.
    /// </summary>
    public RedisKey Recalled(string chat) => Chat(chat, "recalled");

    /// <summary>HASH user → watermark position: each participant sees only messages above theirs (one-way deletion by time).</summary>
    public RedisKey Watermarks(string chat) => Chat(chat, "wm");

    /// <summary>ZSET msgId → position: messages hidden from <paramref name="userId"/> one by one (one-way deletion by id).</summary>
    public RedisKey Hidden(string chat, string userId) => Chat(chat, "hidden:" + userId);

    /// <summary>SET of member user ids (group chats only).</summary>
    public RedisKey GroupMembers(string chat) => Chat(chat, "members");

    /// <summary>HASH <c>owner</c>, <c>created</c> (group chats only).</summary>
    public RedisKey GroupInfo(string chat) => Chat(chat, "info");

    /// <summary>
    /// SET of the members of a deleted group still to be told (their list cleaned, <c>REMOVED_FROM_GROUP</c>
    /// appended): the deletion's tombstone, so a repeat of the deletion, or a create of the same id, finishes it.
    /// Gone once the last one is told; expires after the chat's key lifetime otherwise.
    /// </summary>
    public RedisKey GroupDeletion(string chat) => Chat(chat, "deleting");

    // ---- the send limit (ISendBudget): one bucket per user and one per group ----

    /// <summary>HASH <c>milli</c> (tokens × 1000), <c>at</c> (Unix ms): the user's bucket of the send limit, expiring once full again.</summary>
    public RedisKey SendBudget(string userId) => User(userId, "send-budget");

    /// <summary>HASH <c>milli</c>, <c>at</c>: the group's bucket of the send limit (group chats only), expiring once full again.</summary>
    public RedisKey GroupSendBudget(string chat) => Chat(chat, "send-budget");

    private RedisKey User(string userId, string suffix) => $"{prefix}:{{u:{userId}}}:{suffix}";

    private RedisKey Chat(string chat, string suffix) => $"{prefix}:{{{chat}}}:{suffix}";
}
