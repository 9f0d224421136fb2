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
internal sealed class InMemoryState(IOptions<RoamingOptions> options)
{
    private readonly Dictionary<string, UserState> _users = new(StringComparer.Ordinal);

    /// <summary>The one lock: every other member here expects its caller to hold it.</summary>
    public Lock Gate { get; } = new();

    public RoamingOptions Options { get; } = options.Value;

    /// <summary>Each chat's history and, for a group, its members, by <see cref="ConversationRef.ChatKey"/>.</summary>
    public Dictionary<string, ChatState> Chats { get; } = new(StringComparer.Ordinal);

    /// <summary>The node table: node id → its last heartbeat and when its last complete round began (Unix ms).</summary>
    public Dictionary<string, (long Heartbeat, long RewrittenSince)> Nodes { get; } = new(StringComparer.Ordinal);

    public UserState User(string userId)
    {
        if (!_users.TryGetValue(userId, out var user))
        {
            user = new UserState();
            _users[userId] = user;
        }

        return user;
    }

    public ChatState Chat(ConversationRef conversation, string viewer)
    {
        var key = conversation.ChatKey(viewer);
        if (!Chats.TryGetValue(key, out var chat))
        {
            chat = new ChatState();
            Chats[key] = chat;
        }

        return chat;
    }

    /// <summary>The chat, refused to a user who is not a member of its group.</summary>
    public ChatState MemberChat(ConversationRef conversation, string userId)
    {
        var chat = Chat(conversation, userId);
        return conversation.IsGroup && chat.Group?.Members.Contains(userId) != true ? throw StoreErrors.NotAMember(conversation.Id) : chat;
    }

    public long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, Options.MessageRetentionDays);

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
}
