using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Body of <c>POST /api/tokens</c>.</summary>
[MessagePackObject]
public sealed record IssueTokenRequest
{
    [Key("userId")] public string? UserId { get; init; }
}

/// <summary>Answer of <c>POST /api/tokens</c>.</summary>
[MessagePackObject]
public sealed record IssueTokenResponse
{
    [Key("accessToken")] public string AccessToken { get; init; } = "";
    /// <summary>Expiry, Unix milliseconds.</summary>
    [Key("expiresAt")] public long ExpiresAt { get; init; }
}

/// <summary>Admin REST routes and the header that carries the admin key.</summary>
public static class AdminApi
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string Tokens = "/api/tokens";
    public const string Messages = "/api/messages";
    public const string Groups = "/api/groups";

    /// <summary><c>GET</c> or <c>DELETE</c> a group.</summary>
    public static string GroupPath(string groupId) => $"/api/groups/{Uri.EscapeDataString(groupId)}";

    /// <summary><c>POST</c> members to a group.</summary>
    public static string GroupMembers(string groupId) => GroupPath(groupId) + "/members";

    /// <summary><c>DELETE</c> a member from a group.</summary>
    public static string GroupMember(string groupId, string userId) => GroupMembers(groupId) + "/" + Uri.EscapeDataString(userId);

    /// <summary><c>GET</c>: a user's conversation list, paged like the hub (<c>?cursor=&amp;pageSize=</c>).</summary>
    public static string Conversations(string userId) => $"/api/users/{Uri.EscapeDataString(userId)}/conversations";

    /// <summary><c>GET</c>: a conversation's history as the user sees it (<c>?cursor=&amp;pageSize=&amp;direction=</c>).</summary>
    public static string History(string userId, string chatType, string conversationId) =>
        $"/api/users/{Uri.EscapeDataString(userId)}/conversations/{Uri.EscapeDataString(chatType)}/{Uri.EscapeDataString(conversationId)}/messages";
}
