using Microsoft.Extensions.Options;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// Everything the embedded store holds, for a single node without Redis (<c>dotnet run</c> with no configuration).
/// One lock guards all of it: simple, and atomic in exactly the places the Redis scripts are. Each capability
/// (<see cref="InMemoryMessageStore"/>, <see cref="InMemoryConversationStore"/>, …) takes <see cref="Gate"/> once
/// for its whole call, so a send that writes history, lists and unread counts is seen whole or not at all. Orders
/// match Redis sorted sets (score, then member by ordinal) so both stores pass one contract suite.
/// </summary>
/// <remarks>
/// It holds what Redis would hold for as long as Redis would: a user's state a user lifetime after their last write
/// or own read, a chat's history a chat lifetime after its last write, a walk's snapshot its cursor lifetime after its
/// last page. Expiry follows the times callers pass in (<see cref="Expire"/> at the start of each call), and a read
/// creates nothing. Groups, their members' copies and connections live as long as in Redis too: until removed.
/// </remarks>
internal sealed class InMemoryState(IOptions<RoamingOptions> options)
{

    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChatState> _chats = new(StringComparer.Ordinal);
    private readonly ExpiryQueue<string> _userExpiry = new(StringComparer.Ordinal);
    private readonly ExpiryQueue<string> _chatExpiry = new(StringComparer.Ordinal);
    private readonly ExpiryQueue<SnapshotKey> _snapshotExpiry = new(SnapshotKey.Order);

    /// <summary>The one lock: every other member here expects its caller to hold it.</summary>
    public Lock Gate { get; } = new();

    public RoamingOptions Options { get; } = options.Value;

    /// <summary>Idempotent operations' claims and outcomes, kept under the same lock as the changes that store theirs.</summary>
    public OperationTable Operations { get; } = new(options.Value);

    /// <summary>
    /// Lifetimes are renewed at most once a minute, or every quarter of the user lifetime if that is shorter, as the
    /// Redis scripts do (<c>lib/user_lifetime.lua</c>).
    /// </summary>
    private long RenewalInterval => Math.Min(60_000, (long)Options.UserLifetime.TotalMilliseconds / 4);

    /// <summary>Every chat's history held.</summary>
    public IEnumerable<ChatState> ChatsHeld => _chats.Values;

    /// <summary>Each group's owner and members, by group id; a group's history is a chat like any other.</summary>
    public Dictionary<string, GroupState> Groups { get; } = new(StringComparer.Ordinal);

    /// <summary>Each user's copy of the groups they are in (Redis' <c>groups</c>), kept only while not empty.</summary>
    public Dictionary<string, HashSet<string>> GroupsOfUser { get; } = new(StringComparer.Ordinal);

    /// <summary>Each user's connection records on every node → when its node last wrote it (Unix ms).</summary>
    public Dictionary<string, Dictionary<ConnectionRecord, long>> Connections { get; } = new(StringComparer.Ordinal);

    /// <summary>Per user, device and list, the walk it is on: one at a time, expiring <c>ListCursorLifetime</c> after its last page.</summary>
    public Dictionary<SnapshotKey, (string WalkId, List<string> Members)> Snapshots { get; } = [];

    /// <summary>The node table: node id → its last heartbeat and when its last complete round began (Unix ms).</summary>
    public Dictionary<string, (long Heartbeat, long RewrittenSince)> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>The entries the store's collections have touched: its work, counted for tests.</summary>
    public WorkMeter Work { get; } = new();

    /// <summary>What the store holds, by kind: for tests that check nothing outlives its lifetime.</summary>
    public (int Users, int Chats, int Snapshots, int Groups) Held => (_users.Count, _chats.Count, Snapshots.Count, Groups.Count);

    public long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, Options.MessageRetentionDays);

    /// <summary>Drops the users, chats and walks whose lifetime has passed at <paramref name="now"/>; O(log n) each.</summary>
    public void Expire(long now)
    {
        while (_userExpiry.TryTakeDue(now, out var userId))
        {
            _users.Remove(userId);
        }

        while (_chatExpiry.TryTakeDue(now, out var chatKey))
        {
            _chats.Remove(chatKey);
        }

        while (_snapshotExpiry.TryTakeDue(now, out var walk))
        {
            Snapshots.Remove(walk);
        }
    }

    /// <summary>The user's state, or null when they have none; creates nothing.</summary>
    public UserState? FindUser(string userId) => _users.GetValueOrDefault(userId);

    /// <summary>The user's state for their own read: renews the lifetime of a user who has state, creates none.</summary>
    public UserState? ReadUser(string userId, long now)
    {
        var user = FindUser(userId);
        if (user is not null)
        {
            Renew(user, now);
        }

        return user;
    }

    /// <summary>The user's state for a write: created when missing, its lifetime renewed.</summary>
    public UserState WriteUser(string userId, long now)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            user = new UserState(userId, Work);
            _users[userId] = user;
        }

        Renew(user, now);
        return user;
    }

    /// <summary>The chat's history, or null when it has none; creates nothing.</summary>
    public ChatState? FindChat(ConversationRef conversation, string viewer) => _chats.GetValueOrDefault(conversation.ChatKey(viewer));

    /// <summary>The chat's history for a write: created when missing, its lifetime renewed.</summary>
    public ChatState WriteChat(ConversationRef conversation, string viewer, long now)
    {
        var key = conversation.ChatKey(viewer);
        if (!_chats.TryGetValue(key, out var chat))
        {
            chat = new ChatState(Work);
            _chats[key] = chat;
        }

        if (chat.RenewedAt is not { } at || Math.Abs(now - at) >= RenewalInterval)
        {
            chat.RenewedAt = now;
            _chatExpiry.Set(key, Math.Max(_chatExpiry.ExpiryOf(key) ?? 0, now + (long)Options.ChatLifetime.TotalMilliseconds));
        }

        return chat;
    }

    /// <summary>Refuses a user who is not a member of the conversation's group; a single chat is anyone's to ask for.</summary>
    public void RequireMember(ConversationRef conversation, string userId)
    {
        if (conversation.IsGroup && Groups.GetValueOrDefault(conversation.Id)?.Members.Contains(userId) != true)
        {
            throw StoreErrors.NotAMember(conversation.Id);
        }
    }

    public void RemoveChat(string chatKey)
    {
        _chats.Remove(chatKey);
        _chatExpiry.Remove(chatKey);
    }

    /// <summary>The user's connection records, for a write: created when missing.</summary>
    public Dictionary<ConnectionRecord, long> ConnectionsOf(string userId)
    {
        if (!Connections.TryGetValue(userId, out var connections))
        {
            connections = [];
            Connections[userId] = connections;
        }

        return connections;
    }

    /// <summary>Removes a connection record; the user's entry goes with their last, so connections that came and went leave nothing.</summary>
    public void ForgetConnection(string userId, ConnectionRecord record)
    {
        if (Connections.TryGetValue(userId, out var connections) && connections.Remove(record) && connections.Count == 0)
        {
            Connections.Remove(userId);
        }
    }

    /// <summary>Starts or renews a walk's snapshot for <c>ListCursorLifetime</c>.</summary>
    public void KeepSnapshot(SnapshotKey walk, long now) =>
        _snapshotExpiry.Set(walk, now + (long)Options.ListCursorLifetime.TotalMilliseconds);

    /// <summary>Drops the least recently active unpinned conversations beyond the per-user limit.</summary>
    public void Evict(UserState user)
    {
        var excess = user.Conversations.Count - Options.MaxConversationsPerUser;
        if (excess <= 0)
        {
            return;
        }

        var victims = user.Conversations
            .Where(c => c.Value.PinnedTime is null)
            .OrderBy(c => c.Value.Activity).ThenBy(c => c.Key, StringComparer.Ordinal)
            .Take(excess).Select(c => c.Key).ToList();
        victims.ForEach(member => user.Forget(member));
    }

    private void Renew(UserState user, long now)
    {
        if (user.RenewedAt is { } at && Math.Abs(now - at) < RenewalInterval)
        {
            return;
        }

        user.RenewedAt = now;
        _userExpiry.Set(user.Id, Math.Max(_userExpiry.ExpiryOf(user.Id) ?? 0, now + (long)Options.UserLifetime.TotalMilliseconds));
    }
}

/// <summary>A device's walk through one of a user's lists.</summary>
internal readonly record struct SnapshotKey(string UserId, string DeviceId, ConversationList List)
{
    public static IComparer<SnapshotKey> Order { get; } = Comparer<SnapshotKey>.Create((a, b) =>
    {
        var user = string.CompareOrdinal(a.UserId, b.UserId);
        var device = string.CompareOrdinal(a.DeviceId, b.DeviceId);
        return user != 0 ? user : device != 0 ? device : a.List.CompareTo(b.List);
    });
}
