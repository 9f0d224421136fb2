using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RoamingHub.LoadTests.Fleet;

/// <summary>
/// HS256 tokens for the Socket.IO peer, signed here with the secret the peer was started with, in the shape of
/// RoamingHub's own tokens (issuer and audience <c>roaminghub</c>, the user in <c>sub</c>, 24 h). RoamingHub's tokens
/// come from its admin API; both are in hand before the connect clock starts.
/// </summary>
internal static class PeerTokens
{
    /// <summary>The secret loadtests/run-local.sh gives the peer; for loopback load tests only.</summary>
    public const string DevelopmentSecret = "dev-only-socketio-peer-secret-0123456789abcdef";

    private static readonly byte[] Header = Encoding.UTF8.GetBytes("""{"alg":"HS256","typ":"JWT"}""");

    public static string Sign(string secret, string userId, DateTimeOffset now)
    {
        var claims = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = userId,
            ["iss"] = "roaminghub",
            ["aud"] = "roaminghub",
            ["iat"] = now.ToUnixTimeSeconds(),
            ["nbf"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(24).ToUnixTimeSeconds(),
        });
        var signed = Base64Url(Header) + "." + Base64Url(claims);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(signed));
        return signed + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
