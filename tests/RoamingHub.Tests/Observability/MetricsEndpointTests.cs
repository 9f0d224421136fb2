using System.Net;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Observability;

/// <summary>
/// <c>/metrics</c> counts hub calls by method and outcome, and answers only the admin key outside Development. The
/// counting test runs a node in a process of its own: the meter is per process, so in-process nodes of other tests
/// would add their calls to its counts.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string AdminKey = "an-admin-key-of-our-own";

    [Fact]
    public async Task A_scrape_after_hub_calls_finds_the_hub_call_counter_with_method_and_outcome()
    {
        using var node = new NodeProcess(RedisServer.Instance.ConnectionString, TestIds.Prefix());
        await using var device = await RawHubConnection.ConnectAsync(node.BaseAddress, TestIds.User("alice"), messagePack: false);

        var ok = await device.InvokeWithArgumentsAsync(HubMethods.GetSyncState, []);
        var refused = await device.InvokeAsync(HubMethods.SyncEvents, new SyncEventsRequest { SinceSeq = -1 });
        Assert.True(ok.ContainsKey("result"), ok.ToJsonString());
        Assert.StartsWith("INVALID_ARGUMENT:", refused["error"]!.GetValue<string>(), StringComparison.Ordinal);

        var scrape = await MetricsScrape.WaitForAsync(node.BaseAddress, s =>
            s.Value("roaminghub_hub_calls_total", ("method", "GetSyncState"), ("outcome", "OK")) is not null
            && s.Value("roaminghub_hub_calls_total", ("method", "SyncEvents"), ("outcome", "INVALID_ARGUMENT")) is not null);

        // Exactly the two calls, each under its own method and outcome, and nothing else counted as a hub call.
        var calls = scrape.Samples.Where(s => s.Name == "roaminghub_hub_calls_total")
            .Select(s => (Method: s.Labels["method"], Outcome: s.Labels["outcome"], s.Value))
            .OrderBy(c => c.Method, StringComparer.Ordinal)
            .ToList();
        Assert.Equal([("GetSyncState", "OK", 1.0), ("SyncEvents", "INVALID_ARGUMENT", 1.0)], calls);
        Assert.Equal(1, scrape.Value("roaminghub_hub_call_duration_seconds_count", ("method", "SyncEvents"), ("outcome", "INVALID_ARGUMENT")));
        Assert.Equal(1, scrape.Value("roaminghub_hub_call_duration_seconds_count", ("method", "GetSyncState"), ("outcome", "OK")));
    }

    [Fact]
    public async Task Outside_Development_metrics_answer_a_problem_without_the_admin_key_and_the_numbers_with_it_as_header_or_bearer_token()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["Auth:SigningKey"] = new string('k', 40),
            ["Auth:AdminApiKey"] = AdminKey,
            ["Roaming:UseEmbeddedStore"] = "true",
        }, environment: "Production");
        using var http = node.CreateHttpClient();

        using var anonymous = await http.GetAsync("/metrics");
        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { AdminApi.ApiKeyHeader, AdminKey + "x" } } };
        using var refused = await http.SendAsync(wrongKey);
        var scrape = await MetricsScrape.FetchAsync(node.BaseAddress, AdminKey);
        using var asBearer = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", AdminKey) } };
        using var scrapedAsBearer = await http.SendAsync(asBearer);
        using var wrongBearer = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", "dev-only-admin-key") } };
        using var refusedBearer = await http.SendAsync(wrongBearer);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"code\":\"UNAUTHENTICATED\"", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("# TYPE", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("kestrel_active_connections", scrape.Names);
        // Prometheus sends the key as a bearer token (docker-compose.yml).
        Assert.Equal(HttpStatusCode.OK, scrapedAsBearer.StatusCode);
        Assert.Contains("# TYPE", await scrapedAsBearer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedBearer.StatusCode);
    }

    [Fact]
    public async Task In_Development_metrics_are_open()
    {
        using var node = new RoamingNode();

        var scrape = await MetricsScrape.FetchAsync(node.BaseAddress);

        Assert.Contains("dotnet_gc_pause_time_seconds_total", scrape.Names);
    }

    [Fact]
    public async Task With_metrics_turned_off_there_is_no_metrics_endpoint()
    {
        using var node = new RoamingNode(new Dictionary<string, string?> { ["Roaming:Telemetry:Metrics"] = "false" });
        using var http = node.CreateHttpClient();

        using var response = await http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public void A_trace_sample_ratio_outside_0_to_1_stops_the_node_at_start()
    {
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["Roaming:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9",
            ["Roaming:Telemetry:TraceSampleRatio"] = "1.5",
        });

        var error = Assert.ThrowsAny<Exception>(() => node.BaseAddress);
        Assert.Contains("TraceSampleRatio", error.ToString(), StringComparison.Ordinal);
    }
}
