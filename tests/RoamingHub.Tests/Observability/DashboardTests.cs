using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Observability;

/// <summary>
/// The Grafana dashboard in deploy/ and the metrics behind it: the compose file that runs them cannot run here, so
/// two real nodes on Redis (processes of their own) take traffic and their scrapes must hold every metric the
/// dashboard queries, and nothing a user sent.
/// </summary>
public sealed partial class DashboardTests : IClassFixture<DashboardTests.NodesAfterTraffic>
{
    private readonly NodesAfterTraffic _nodes;

    public DashboardTests(NodesAfterTraffic nodes) => _nodes = nodes;

    /// <summary>Two nodes and what a pair of devices did on them: a message with a repeat, a pin, an ext, a refusal, a resync.</summary>
    public sealed class NodesAfterTraffic : IAsyncLifetime
    {
        private static readonly string[] Keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "offset", "bool"];

        public NodeProcess A { get; private set; } = null!;

        public NodeProcess B { get; private set; } = null!;

        /// <summary>What the devices sent or held that no scrape may show.</summary>
        public List<string> Secrets { get; } = [];

        public async Task InitializeAsync()
        {
            var prefix = TestIds.Prefix();
            var nodes = await Task.WhenAll(
                Task.Run(() => new NodeProcess(RedisServer.Instance.ConnectionString, prefix)),
                Task.Run(() => new NodeProcess(RedisServer.Instance.ConnectionString, prefix)));
            (A, B) = (nodes[0], nodes[1]);

            var alice = TestIds.User("alice");
            var bob = TestIds.User("bob");
            var aliceToken = await RoamingNode.IssueTokenAsync(A.BaseAddress, alice);
            var bobToken = await RoamingNode.IssueTokenAsync(B.BaseAddress, bob);
            var body = "body-" + Guid.NewGuid().ToString("N");
            var ext = "ext-" + Guid.NewGuid().ToString("N");
            var opId = "op-" + Guid.NewGuid().ToString("N");
            Secrets.AddRange([alice, bob, aliceToken, bobToken, body, ext, opId, "phone-" + alice]);

            await using var alicePhone = await ConnectAsync(A.BaseAddress, aliceToken, "phone-" + alice);
            await using var bobPhone = await ConnectAsync(B.BaseAddress, bobToken, "tablet");
            var inbox = new Recorder(bobPhone);

            var message = new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Type = "text", Body = body, ClientOpId = opId };
            await alicePhone.SendMessageAsync(message);
            await alicePhone.SendMessageAsync(message); // a repeat: answered from the kept outcome
            await inbox.WaitForMessagesAsync(1);
            await alicePhone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true });
            await alicePhone.UpdateConversationExtAsync(new UpdateConversationExtRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Ext = ext });
            await Assert.ThrowsAsync<HubException>(() => alicePhone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = -1 }));
            Assert.True((await alicePhone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0, Epoch = "not-this-stream" })).ResyncRequired);
        }

        public Task DisposeAsync()
        {
            A.Dispose();
            B.Dispose();
            return Task.CompletedTask;
        }

        /// <summary>Scrapes both nodes until together they hold <paramref name="names"/> (or 20 s pass), and returns both scrapes.</summary>
        public Task<(MetricsScrape A, MetricsScrape B)> ScrapeUntilAsync(IReadOnlySet<string> names) =>
            ScrapeUntilAsync((a, b) => names.IsSubsetOf(a.Names.Union(b.Names)));

        /// <summary>
        /// Scrapes both nodes until <paramref name="done"/> holds (or 20 s pass), and returns both scrapes: a push is
        /// counted once its write completes, which may be a moment after the device has it, and the exporter answers
        /// from a short cache.
        /// </summary>
        public async Task<(MetricsScrape A, MetricsScrape B)> ScrapeUntilAsync(Func<MetricsScrape, MetricsScrape, bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (true)
            {
                var (a, b) = (await MetricsScrape.FetchAsync(A.BaseAddress), await MetricsScrape.FetchAsync(B.BaseAddress));
                if (done(a, b) || DateTime.UtcNow > deadline)
                {
                    return (a, b);
                }

                await Task.Delay(200);
            }
        }

        /// <summary>
        /// The series a PromQL expression reads: its identifiers once label matchers, ranges, strings and label lists
        /// (<c>by (…)</c>) are taken out, less functions (an identifier before a parenthesis) and keywords.
        /// </summary>
        public static IEnumerable<string> MetricNamesIn(string expression)
        {
            var bare = Regex.Replace(expression, "\"[^\"]*\"", " ");
            bare = Regex.Replace(bare, @"\{[^}]*\}|\[[^\]]*\]", " ");
            bare = Regex.Replace(bare, @"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ");
            return Identifier().Matches(bare)
                .Where(m => !bare[(m.Index + m.Length)..].TrimStart().StartsWith('('))
                .Select(m => m.Value)
                .Where(name => !Keywords.Contains(name, StringComparer.Ordinal));
        }

        private static async Task<RoamingHubClient> ConnectAsync(Uri node, string token, string deviceId)
        {
            var client = new RoamingHubClient(new RoamingHubClientOptions
            {
                ServerUrl = node,
                AccessTokenProvider = () => Task.FromResult<string?>(token),
                DeviceId = deviceId,
            });
            await client.StartAsync();
            return client;
        }
    }

    private static IReadOnlySet<string> DashboardMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "deploy", "grafana", "roaminghub-dashboard.json")));
        return dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .SelectMany(target => NodesAfterTraffic.MetricNamesIn(target.GetProperty("expr").GetString()!))
            .ToHashSet(StringComparer.Ordinal);
    }

    [Fact]
    public void The_query_reader_finds_the_series_and_only_the_series()
    {
        Assert.Equal(
            ["roaminghub_hub_call_duration_seconds_bucket"],
            NodesAfterTraffic.MetricNamesIn("histogram_quantile(0.99, sum by (le, method) (rate(roaminghub_hub_call_duration_seconds_bucket{job=\"x\"}[$__rate_interval])))"));
        Assert.Equal(["a_total", "b"], NodesAfterTraffic.MetricNamesIn("sum without (instance) (increase(a_total[5m])) / on (job) b"));
    }

    [Fact]
    public async Task Every_metric_the_dashboard_queries_appears_in_a_real_scrape_after_traffic()
    {
        var queried = DashboardMetrics();
        Assert.Contains("roaminghub_hub_calls_total", queried);
        Assert.Contains("dotnet_gc_pause_time_seconds_total", queried);
        Assert.Contains("kestrel_active_connections", queried);

        var (a, b) = await _nodes.ScrapeUntilAsync(queried);

        var exported = a.Names.Union(b.Names).ToHashSet(StringComparer.Ordinal);
        Assert.Empty(queried.Except(exported).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_traffic_is_counted_where_it_happened()
    {
        var (a, b) = await _nodes.ScrapeUntilAsync((a, b) =>
            a.Value("roaminghub_delivery_publish_duration_seconds_count", ("outcome", "OK")) >= 1 && b.Value("roaminghub_pushes_sent_total") >= 1
            && a.Value("roaminghub_idempotent_repeats_total", ("method", "SendMessage")) is not null);

        Assert.Equal(1, a.Value("roaminghub_idempotent_repeats_total", ("method", "SendMessage")));
        Assert.Equal(1, a.Value("roaminghub_hub_calls_total", ("method", "PinConversation"), ("outcome", "OK")));
        Assert.Equal(1, a.Value("roaminghub_stream_resyncs_total"));
        Assert.True(a.Value("roaminghub_store_call_duration_seconds_count", ("script", "store_message")) >= 1);
        Assert.True(a.Value("roaminghub_delivery_publish_duration_seconds_count", ("outcome", "OK")) >= 1);
        Assert.True(b.Value("roaminghub_pushes_sent_total") >= 1);
        Assert.Equal(1, b.Value("roaminghub_stream_resumes_total", ("result", "replayed")));
    }

    [Fact]
    public async Task No_scrape_holds_a_user_id_token_body_extension_field_or_operation_id()
    {
        var (a, b) = await _nodes.ScrapeUntilAsync(new HashSet<string> { "roaminghub_hub_calls_total" });

        foreach (var secret in _nodes.Secrets)
        {
            Assert.DoesNotContain(secret, a.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, b.Text, StringComparison.Ordinal);
        }

        // And our labels are only the low-cardinality ones the docs list.
        string[] allowed = ["method", "outcome", "bucket", "reason", "result", "script", "le", "otel_scope_name", "otel_scope_version"];
        var labels = a.Samples.Concat(b.Samples).Where(s => s.Name.StartsWith("roaminghub_", StringComparison.Ordinal)).SelectMany(s => s.Labels.Keys).ToHashSet();
        Assert.Empty(labels.Except(allowed));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoamingHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RoamingHub.sln was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifier();
}
