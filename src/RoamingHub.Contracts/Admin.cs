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
}
