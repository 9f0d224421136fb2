using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// Faults injected for real: redis-server and a node SIGKILLed and started again in the middle of a stream of
/// acknowledged changes. Afterwards every device's view, after the client's own catch-up, equals the server's.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private const int Operations = 45;

    /// <summary>Retries a call until the server acknowledges it, as a client with a clientOpId does.</summary>

    private static Dictionary<string, string?> Settings(RedisServer redis, string prefix) => new()
    {
        ["ConnectionStrings:Redis"] = redis.ConnectionString + ",connectTimeout=500",
        ["Roaming:RedisKeyPrefix"] = prefix,
    };

    /// <summary>Pins and unpins (and every third step a message to <paramref name="peer"/>), acknowledged one by one.</summary>
    private static async Task<List<Message>> StreamAsync(RoamingHubClient writer, string peer, int from, int to, Action<int>? atStep = null)
    {
        var sent = new List<Message>();
        for (var i = from; i < to; i++)
        {
            atStep?.Invoke(i);
            var opId = $"op-{i}";
            if (i % 3 == 2)
            {
                sent.Add(await Retry.UntilAcknowledgedAsync(() => writer.SendMessageAsync(new SendMessageRequest { To = peer, ChatType = ChatTypes.SingleChat, Body = $"m{i}", ClientOpId = opId })));
            }
            else
            {
                var request = new PinConversationRequest { ConversationId = $"peer{i % 5}", ChatType = ChatTypes.SingleChat, IsPinned = i / 5 % 2 == 0, ClientOpId = opId };
                await Retry.UntilAcknowledgedAsync(() => writer.PinConversationAsync(request));
            }
        }

        return sent;
    }

    /// <summary>Waits until every reader has applied the server's whole log, then checks each applied it exactly, in order, once.</summary>
    private async Task AssertEveryDeviceMatchesTheServerAsync(RoamingHubClient writer, IReadOnlyList<(RoamingHubClient Client, Recorder Recorder)> readers)
    {
        var log = await Retry.UntilAcknowledgedAsync(() => writer.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0, Limit = 200 }));
        Assert.False(log.HasMore);
        Assert.Equal(Enumerable.Range(1, (int)log.LastSeq).Select(i => (long)i), log.Events.Select(e => e.Seq));
        foreach (var (client, recorder) in readers)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (client.LastSeq < log.LastSeq && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            // The stream holds the messages too, which a device raises as messages; a restart of Redis starts a new
            // epoch, so entries replayed now carry another epoch than the pushes the devices had.
            Assert.Equal(
                log.Events.Where(e => e.Operation != MultiDeviceOperations.Message).Select(e => e with { Epoch = null }),
                recorder.Events.Select(e => e with { Epoch = null }));
            Assert.Equal(log.Events.Where(e => e.Operation == MultiDeviceOperations.Message).Select(e => e.Message!.MsgId), recorder.Messages.Select(m => m.MsgId));
            output.WriteLine($"device: {log.Events.Count} events in the log, {recorder.Events.Count} applied, {client.EventsRecovered} recovered through SyncEvents, {client.DuplicatesDropped} duplicates dropped, {recorder.RawEvents.Count} live pushes");
        }
    }

    [Fact]
    public async Task A_Redis_restart_in_the_middle_of_a_stream_loses_no_event_on_any_device_of_either_node()
    {
        using var redis = RedisServer.StartDedicated(durable: true);
        var prefix = TestIds.Prefix();
        using var nodeA = new RoamingNode(Settings(redis, prefix));
        using var nodeB = new RoamingNode(Settings(redis, prefix));
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var writer = await RoamingNode.ConnectAsync(nodeA.BaseAddress, alice, "phone", reconnect: true);
        await using var laptop = await RoamingNode.ConnectAsync(nodeB.BaseAddress, alice, "laptop", reconnect: true);
        await using var tablet = await RoamingNode.ConnectAsync(nodeA.BaseAddress, alice, "tablet", RoamingHubProtocol.Json, reconnect: true);
        await using var bobPhone = await RoamingNode.ConnectAsync(nodeB.BaseAddress, bob, "phone", reconnect: true);
        var readers = new[] { laptop, tablet }.Select(c => (c, new Recorder(c))).ToList();

        var sent = await StreamAsync(writer, bob, 0, Operations, atStep: i =>
        {
            if (i == Operations / 3)
            {
                redis.Kill();
                Thread.Sleep(300);
                redis.Start();
            }
        });

        await AssertEveryDeviceMatchesTheServerAsync(writer, readers);
        var history = await Retry.UntilAcknowledgedAsync(() => bobPhone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = alice, ChatType = ChatTypes.SingleChat, Direction = HistoryDirections.Down, PageSize = 50 }));
        Assert.Equal(sent.Select(m => m.MsgId), history.Data.Select(m => m.MsgId));
    }

    [Fact]
    public async Task A_node_killed_and_started_again_in_the_middle_of_a_stream_costs_its_devices_no_event()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        var prefix = TestIds.Prefix();
        using var nodeA = new RoamingNode(Settings(redis, prefix));
        using var doomed = new NodeProcess(redis.ConnectionString, prefix);
        var alice = TestIds.User("alice");
        await using var writer = await RoamingNode.ConnectAsync(nodeA.BaseAddress, alice, "phone", reconnect: true);
        await using var laptop = await RoamingNode.ConnectAsync(doomed.BaseAddress, alice, "laptop", reconnect: true);
        await using var watch = await RoamingNode.ConnectAsync(doomed.BaseAddress, alice, "watch", RoamingHubProtocol.Json, reconnect: true);
        await using var tablet = await RoamingNode.ConnectAsync(nodeA.BaseAddress, alice, "tablet", reconnect: true);
        var readers = new[] { laptop, watch, tablet }.Select(c => (c, new Recorder(c))).ToList();

        await StreamAsync(writer, TestIds.User("bob"), 0, Operations, atStep: i =>
        {
            if (i == Operations / 3)
            {
                doomed.Kill();
            }

            if (i == Operations / 2)
            {
                doomed.Start();
            }
        });

        await AssertEveryDeviceMatchesTheServerAsync(writer, readers);
        Assert.True(laptop.EventsRecovered > 0, "the devices of the killed node caught up through SyncEvents");
    }

    [Fact]
    public async Task While_Redis_is_down_calls_fail_fast_with_UNAVAILABLE_and_the_node_recovers_by_itself()
    {
        using var redis = RedisServer.StartDedicated(durable: false);
        using var node = new RoamingNode(Settings(redis, TestIds.Prefix()));
        await using var phone = await RoamingNode.ConnectAsync(node.BaseAddress, TestIds.User("alice"), "phone");
        using var http = node.CreateHttpClient();
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        redis.Kill();
        var started = DateTime.UtcNow;
        // The client gives up after 5 s: an answer past the 2 s store timeout would come as a cancellation instead.
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var error = await Assert.ThrowsAsync<HubException>(() => phone.PinConversationAsync(
            new PinConversationRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, IsPinned = true }, patience.Token));
        var failedAfter = DateTime.UtcNow - started;
        using var notReady = await http.GetAsync("/readyz");

        Assert.StartsWith(ErrorCodes.Unavailable + ": ", error.Message, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, phone.Connection.State);

        var restarted = DateTime.UtcNow;
        redis.Start();
        var pinned = await Retry.UntilAcknowledgedAsync(() => phone.PinConversationAsync(new PinConversationRequest { ConversationId = "bob", ChatType = ChatTypes.SingleChat, IsPinned = true }));
        Assert.True(pinned.IsPinned);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);
        output.WriteLine($"failed with UNAVAILABLE after {failedAfter.TotalMilliseconds:F0} ms; first acknowledged call {(DateTime.UtcNow - restarted).TotalMilliseconds:F0} ms after redis-server started again");
    }
}
