using System.Collections;
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.SignalR;
using OpenTelemetry.Trace;
using RoamingHub.Contracts;
using RoamingHub.Server.Auth;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Observability;

/// <summary>
/// A hub call makes a trace of its own whose child spans are the store scripts it ran. The node is configured as an
/// operator would (an OTLP endpoint, here one nobody listens on, and a sample ratio of 1), and the spans are also
/// collected in memory.
/// </summary>
public sealed class TraceTests
{
    [Fact]
    public async Task A_hub_call_is_a_root_span_over_its_use_case_over_each_store_script()
    {
        var spans = new Spans();
        using var node = TracedNode(1, spans);
        var alice = TestIds.User("alice");
        var opId = "op-" + Guid.NewGuid().ToString("N");
        await using var phone = await node.ConnectAsync(alice, "phone");

        await phone.PinConversationAsync(new PinConversationRequest { ConversationId = TestIds.User("bob"), ChatType = ChatTypes.SingleChat, IsPinned = true, ClientOpId = opId });
        await Assert.ThrowsAsync<HubException>(() => phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = -1 }));

        // While this test runs, its tracer records the calls of every node in the process (the source is static), so
        // other tests' pins may be here too: every pin with a clientOpId on Redis has the shape checked below.
        var all = spans.Snapshot();
        IEnumerable<Activity> ChildrenOf(Activity parent) => all.Where(c => c.ParentSpanId == parent.SpanId && c.TraceId == parent.TraceId);
        bool RanTheIdempotencyStepAndThePin(Activity hubCall) =>
            ChildrenOf(hubCall).Any(f => ChildrenOf(f).Select(c => c.OperationName).Order(StringComparer.Ordinal).SequenceEqual(["begin_operation", "pin_conversation"]));
        Assert.Contains(all, s => s.OperationName == "DeviceHub/PinConversation" && RanTheIdempotencyStepAndThePin(s));
        var pin = all.First(s => s.OperationName == "DeviceHub/PinConversation" && RanTheIdempotencyStepAndThePin(s));
        Assert.Equal(ActivityKind.Server, pin.Kind);
        Assert.Equal(default, pin.ParentSpanId);
        Assert.Equal("PinConversation", pin.GetTagItem("rpc.method"));
        Assert.Equal(ActivityStatusCode.Unset, pin.Status);
        var feature = Assert.Single(ChildrenOf(pin));
        Assert.Equal("PinConversation", feature.OperationName);
        Assert.Equal(ActivityKind.Internal, feature.Kind);
        Assert.All(ChildrenOf(feature), script =>
        {
            Assert.Equal(ActivityKind.Client, script.Kind);
            Assert.Equal("redis", script.GetTagItem("db.system.name"));
        });

        Assert.Contains(all, s => s.OperationName == "DeviceHub/SyncEvents" && s.Status == ActivityStatusCode.Error && (string?)s.GetTagItem("error.type") == "INVALID_ARGUMENT");

        // One trace per call: SignalR's own span of the same call is not made, sampled or not.
        Assert.DoesNotContain(all, s => s.Source.Name.StartsWith("Microsoft.AspNetCore.SignalR", StringComparison.Ordinal));

        // Nothing a user sent or is named by is a tag.
        Assert.DoesNotContain(all.SelectMany(s => s.TagObjects), tag => tag.Value is string value && (value.Contains(alice, StringComparison.Ordinal) || value.Contains(opId, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_admin_request_in_a_sampled_trace_is_kept_at_ratio_0_with_its_use_case_and_store_scripts_below()
    {
        var spans = new Spans();
        using var node = TracedNode(0, spans);
        using var request = new HttpRequestMessage(HttpMethod.Post, AdminApi.Messages)
        {
            Content = JsonContent.Create(new AdminSendMessageRequest { From = TestIds.User("system"), To = TestIds.User("alice"), ChatType = ChatTypes.SingleChat, Type = "notice", Body = "hello" }),
        };

        // Parent-based: the caller sampled the trace, so it is kept whatever the ratio.
        var mine = await SendInSampledTraceAsync(node, request, spans);
        var served = Assert.Single(mine, s => s.Kind == ActivityKind.Server);
        Assert.Equal("/api/messages", served.GetTagItem("url.path"));
        var send = Assert.Single(mine, s => s.ParentSpanId == served.SpanId);
        Assert.Equal("SendMessage", send.OperationName);
        Assert.Contains(mine, s => s.ParentSpanId == send.SpanId && s.OperationName == "store_message");
    }

    [Fact]
    public async Task An_admin_request_span_names_its_route_not_the_ids_in_its_path()
    {
        var spans = new Spans();
        using var node = TracedNode(0, spans);
        var alice = TestIds.User("alice");
        using var request = new HttpRequestMessage(HttpMethod.Get, AdminApi.Conversations(alice));

        var mine = await SendInSampledTraceAsync(node, request, spans);
        var served = Assert.Single(mine, s => s.Kind == ActivityKind.Server);
        Assert.Equal("/api/users/{userId}/conversations", served.GetTagItem("url.path"));
        Assert.DoesNotContain(mine.SelectMany(s => s.TagObjects), tag => tag.Value is string value && value.Contains(alice, StringComparison.Ordinal));
    }

    [Fact]
    public async Task At_a_sample_ratio_of_0_hub_calls_and_their_scripts_make_no_spans()
    {
        var spans = new Spans();
        using var node = TracedNode(0, spans);
        await using var phone = await node.ConnectAsync(TestIds.User("alice"), "phone");

        await phone.PinConversationAsync(new PinConversationRequest { ConversationId = TestIds.User("bob"), ChatType = ChatTypes.SingleChat, IsPinned = true });

        // Spans of other nodes in the process that end while this test runs reach its exporter too (the source is
        // static): the previous test's node closing its connections, on a loaded machine. So what is checked is the
        // pin this test made: its hub call, its use case and its script.
        Assert.DoesNotContain(spans.Snapshot(), s => s.Source.Name == "RoamingHub"
            && s.OperationName is "DeviceHub/PinConversation" or "PinConversation" or "pin_conversation");
    }

    /// <summary>
    /// Sends an admin <paramref name="request"/> in a trace its caller sampled, and answers that trace's spans once the
    /// request's own is there (the server ends it after the answer has left, so it may come a moment later).
    /// </summary>
    private static async Task<List<Activity>> SendInSampledTraceAsync(RoamingNode node, HttpRequestMessage request, Spans spans)
    {
        using var http = node.CreateHttpClient();
        var trace = ActivityTraceId.CreateRandom();
        request.Headers.Add(AdminApi.ApiKeyHeader, AuthOptions.SampleAdminApiKey);
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return [.. (await spans.WaitForAsync(all => all.Any(s => s.TraceId == trace && s.Kind == ActivityKind.Server))).Where(s => s.TraceId == trace)];
    }

    /// <summary>A node on Redis with traces on at <paramref name="ratio"/> (to an OTLP endpoint nobody listens on), its spans also kept in <paramref name="spans"/>.</summary>
    private static RoamingNode TracedNode(int ratio, Spans spans) => new(
        new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = RedisServer.Instance.ConnectionString,
            ["Roaming:RedisKeyPrefix"] = TestIds.Prefix(),
            ["Roaming:Telemetry:OtlpEndpoint"] = "http://127.0.0.1:9",
            ["Roaming:Telemetry:TraceSampleRatio"] = ratio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
        services: services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

    /// <summary>The exporter's target: it adds from the thread that ends a span, while the test reads.</summary>
    private sealed class Spans : ICollection<Activity>
    {
        private readonly List<Activity> _spans = [];

        public int Count
        {
            get
            {
                lock (_spans)
                {
                    return _spans.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        /// <summary>The spans once <paramref name="done"/> holds for them, or after 10 s (the caller's assertions then say what is missing).</summary>
        public async Task<IReadOnlyList<Activity>> WaitForAsync(Func<IReadOnlyList<Activity>, bool> done)
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!done(Snapshot()) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            return Snapshot();
        }

        public IReadOnlyList<Activity> Snapshot()
        {
            lock (_spans)
            {
                return [.. _spans];
            }
        }

        public void Add(Activity item)
        {
            lock (_spans)
            {
                _spans.Add(item);
            }
        }

        public void Clear()
        {
            lock (_spans)
            {
                _spans.Clear();
            }
        }

        public bool Contains(Activity item) => Snapshot().Contains(item);

        public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().ToList().CopyTo(array, arrayIndex);

        public bool Remove(Activity item)
        {
            lock (_spans)
            {
                return _spans.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
