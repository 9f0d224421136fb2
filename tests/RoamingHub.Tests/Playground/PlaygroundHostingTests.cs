using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Playground;

/// <summary>
/// The playground's page and its token route exist in Development and nowhere else: whoever can call
/// <c>POST /dev/tokens</c> can act as any user.
/// </summary>
public sealed class PlaygroundHostingTests(PlaygroundHostingTests.Nodes nodes) : IClassFixture<PlaygroundHostingTests.Nodes>
{
    public sealed class Nodes : IDisposable
    {
        public RoamingNode Development { get; } = new();

        public RoamingNode Production { get; } = new(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = new string('k', 40),
            ["Auth:AdminApiKey"] = new string('a', 20),
            ["Roaming:UseEmbeddedStore"] = "true",
        }, environment: "Production");

        public void Dispose()
        {
            Development.Dispose();
            Production.Dispose();
        }
    }

    [Fact]
    public async Task In_Development_the_dev_token_route_issues_a_token_the_hub_accepts_without_the_admin_key()
    {
        var user = TestIds.User("Alice");
        using var http = new HttpClient { BaseAddress = nodes.Development.BaseAddress };

        using var response = await http.PostAsJsonAsync("/dev/tokens", new { userId = user, deviceId = "Laptop" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = (await response.Content.ReadFromJsonAsync<IssueTokenResponse>())!;
        Assert.True(token.ExpiresAt > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await using var client = new RoamingHubClient(new RoamingHubClientOptions
        {
            ServerUrl = nodes.Development.BaseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(token.AccessToken),
            DeviceId = "laptop",
            AutomaticReconnect = false,
        });
        await client.StartAsync();
        var pinned = await client.PinConversationAsync(new PinConversationRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, IsPinned = true });
        Assert.Equal(1, pinned.Seq);
        // The token names the canonical user: the admin API finds the pin under the lower-case id.
        using var list = await AdminCalls.SendAsync(nodes.Development.BaseAddress, HttpMethod.Get, AdminApi.Conversations(user.ToLowerInvariant()));
        Assert.Equal("bob", Assert.Single((await list.Content.ReadFromJsonAsync<Page<Conversation>>())!.Data).ConversationId);
    }

    [Theory]
    [InlineData("""{"userId":"alice","deviceId":"my laptop"}""", "deviceId may hold only")]
    [InlineData("""{"userId":"","deviceId":"laptop"}""", "userId is required")]
    [InlineData("""{"deviceId":"laptop"}""", "userId is required")]
    public async Task In_Development_the_dev_token_route_refuses_a_bad_id_with_INVALID_ARGUMENT_naming_it(string body, string sentence)
    {
        using var http = new HttpClient { BaseAddress = nodes.Development.BaseAddress };

        using var response = await http.PostAsync("/dev/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(ErrorCodes.InvalidArgument, problem.RootElement.GetProperty("code").GetString());
        Assert.StartsWith(sentence, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Development_the_page_is_served_from_the_assembly_at_playground_with_its_script_and_styles()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = nodes.Development.BaseAddress };

        using var bare = await http.GetAsync("/playground");
        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.EndsWith("/playground/", bare.Headers.Location?.OriginalString, StringComparison.Ordinal);

        using var page = await http.GetAsync("/playground/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("""<script type="module" src="playground.js"></script>""", html, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"signin-form\"", html, StringComparison.Ordinal);
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        // 'self' alone: it covers the same origin's ws:/wss: (CSP 3), and nothing else may be reached.
        Assert.Contains("connect-src 'self';", policy, StringComparison.Ordinal);

        using var script = await http.GetAsync("/playground/playground.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/dev/tokens", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var styles = await http.GetAsync("/playground/playground.css");
        Assert.Equal(HttpStatusCode.OK, styles.StatusCode);
        Assert.Equal("text/css", styles.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("GET", "/playground")]
    [InlineData("GET", "/playground/")]
    [InlineData("GET", "/playground/index.html")]
    [InlineData("GET", "/playground/playground.js")]
    [InlineData("POST", "/dev/tokens")]
    public async Task Outside_Development_neither_the_page_nor_the_dev_token_route_exists(string method, string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = nodes.Production.BaseAddress };
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(new { userId = "alice" }) : null,
        };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
