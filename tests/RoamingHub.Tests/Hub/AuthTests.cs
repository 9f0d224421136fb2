using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

public sealed class AuthTests : IClassFixture<AuthTests.Node>
{
    private readonly RoamingNode _node;

    public AuthTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new(new Dictionary<string, string?> { ["Roaming:MaxConnectionsPerUser"] = "2" });

        public void Dispose() => Instance.Dispose();
    }

    private static string SignToken(string subject, DateTime expires, string key = AuthOptions.SampleSigningKey) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.Issuer,
            Audience = AuthOptions.Audience,
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            NotBefore = expires.AddHours(-2),
            IssuedAt = expires.AddHours(-2),
            Expires = expires,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });

    private async Task<HttpStatusCode> NegotiateAsync(string? token)
    {
        using var http = _node.CreateHttpClient();
        var query = token is null ? "" : $"&access_token={Uri.EscapeDataString(token)}";
        using var response = await http.PostAsync($"{RoamingProtocol.HubPath}/negotiate?negotiateVersion=1{query}", null);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_hub_refuses_a_missing_forged_or_expired_token_with_401()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync("not-a-token"));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(SignToken("alice", DateTime.UtcNow.AddHours(1), key: new string('x', 48))));
        Assert.Equal(HttpStatusCode.Unauthorized, await NegotiateAsync(SignToken("alice", DateTime.UtcNow.AddMinutes(-5))));
        Assert.Equal(HttpStatusCode.OK, await NegotiateAsync(SignToken("alice", DateTime.UtcNow.AddHours(1))));
    }

    [Fact]
    public async Task The_token_query_parameter_is_honoured_only_on_the_hub_path()
    {
        using var http = _node.CreateHttpClient();
        var token = await _node.IssueTokenAsync("alice");
        using var response = await http.PostAsync($"{AdminApi.Tokens}?access_token={token}", JsonContent.Create(new IssueTokenRequest { UserId = "bob" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Tokens_require_the_admin_key_and_a_valid_user_id()
    {
        using var http = _node.CreateHttpClient();
        using var noKey = await http.PostAsJsonAsync(AdminApi.Tokens, new IssueTokenRequest { UserId = "alice" });
        using var wrongKey = await PostTokenAsync(http, "alice", "wrong-key-wrong-key");
        using var badId = await PostTokenAsync(http, "al ice", AuthOptions.SampleAdminApiKey);
        using var ok = await PostTokenAsync(http, "Alice", AuthOptions.SampleAdminApiKey);

        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badId.StatusCode);
        Assert.Contains("\"code\":\"INVALID_ARGUMENT\"", await badId.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var issued = (await ok.Content.ReadFromJsonAsync<IssueTokenResponse>())!;
        Assert.Equal("alice", new JsonWebToken(issued.AccessToken).Subject);
        Assert.InRange(issued.ExpiresAt - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), TimeSpan.FromHours(23).TotalMilliseconds, TimeSpan.FromHours(24).TotalMilliseconds);
    }

    [Fact]
    public async Task A_connection_beyond_MaxConnectionsPerUser_is_refused_with_a_clear_reason()
    {
        var user = TestIds.User("many");
        await using var first = await _node.ConnectAsync(user, "d1");
        await using var second = await _node.ConnectAsync(user, "d2");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _node.ConnectAsync(user, "d3"));
        Assert.Contains(ErrorCodes.ConnectionLimitExceeded, error.Message, StringComparison.Ordinal);

        await second.StopAsync();

        // The server releases the closed connection's place as it notices the close, a moment after StopAsync.
        RoamingHubClient? third = null;
        for (var attempt = 0; third is null; attempt++)
        {
            try
            {
                third = await _node.ConnectAsync(user, "d3");
            }
            catch (Exception e) when (attempt < 50 && e.Message.Contains(ErrorCodes.ConnectionLimitExceeded, StringComparison.Ordinal))
            {
                await Task.Delay(100);
            }
        }

        await using var admitted = third;
        Assert.Equal(0, (await admitted.GetSyncStateAsync()).LastSeq);
    }

    private static Task<HttpResponseMessage> PostTokenAsync(HttpClient http, string userId, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, AdminApi.Tokens) { Content = JsonContent.Create(new IssueTokenRequest { UserId = userId }) };
        request.Headers.Add(AdminApi.ApiKeyHeader, key);
        return http.SendAsync(request);
    }
}
