using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hosting;

public sealed class StartupTests
{
    [Fact]
    public void Outside_Development_the_server_refuses_to_start_with_the_sample_keys()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = AuthOptions.SampleSigningKey,
            ["Auth:AdminApiKey"] = AuthOptions.SampleAdminApiKey,
            ["Roaming:UseEmbeddedStore"] = "true",
        }, environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("sample values", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_Development_the_server_refuses_to_start_without_keys()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["Roaming:UseEmbeddedStore"] = "true" }, environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("Auth:SigningKey must be set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_answers_503_while_Redis_is_unreachable_and_healthz_stays_200()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200" });
        using var http = node.CreateHttpClient();

        using var ready = await http.GetAsync("/readyz");
        using var alive = await http.GetAsync("/healthz");

        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("UNAVAILABLE", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task Outside_Development_the_server_starts_with_keys_of_its_own_on_the_embedded_store_when_asked_to()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = new string('k', 40),
            ["Auth:AdminApiKey"] = new string('a', 20),
            ["Roaming:UseEmbeddedStore"] = "true",
        }, environment: "Production");

        using var http = node.CreateHttpClient();
        Assert.Equal("\"alive\"", await http.GetStringAsync("/healthz"));
        Assert.Equal("\"ready\"", await http.GetStringAsync("/readyz"));
    }

    [Fact]
    public void Outside_Development_the_server_refuses_to_start_without_Redis_unless_the_embedded_store_is_asked_for()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = new string('k', 40),
            ["Auth:AdminApiKey"] = new string('a', 20),
        }, environment: "Production");

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("No ConnectionStrings:Redis is set", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Roaming:UseEmbeddedStore=true", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_refuses_to_start_when_told_both_to_use_Redis_and_the_embedded_store()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200",
            ["Roaming:UseEmbeddedStore"] = "true",
        });

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("Roaming:UseEmbeddedStore is true but ConnectionStrings:Redis is set", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_server_refuses_to_start_when_the_Redis_connection_string_sets_a_channel_prefix()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = "127.0.0.1:1,connectTimeout=200,channelPrefix=other",
        });

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("ConnectionStrings:Redis sets channelPrefix", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Roaming:RedisKeyPrefix", error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PerConnectionPerSecond")]
    [InlineData("PerConnectionBurst")]
    [InlineData("PerUserPerSecond")]
    [InlineData("PerUserBurst")]
    public void A_rate_limit_above_its_upper_bound_refuses_to_start(string setting)
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { [$"Roaming:RateLimit:{setting}"] = "5000000" });

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains($"RateLimit.{setting}", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("must be between 1 and 1000000", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rate_limit_at_its_upper_bound_starts()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["Roaming:RateLimit:PerUserBurst"] = "1000000" });

        using var http = node.CreateHttpClient();
        Assert.Equal("\"alive\"", await http.GetStringAsync("/healthz"));
    }
}
