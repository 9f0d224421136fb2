using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MessagePack;
using Microsoft.Extensions.DependencyInjection;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Storage;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Security;

/// <summary>Runs alone, so the memory the barrage costs is not mixed with what parallel tests allocate.</summary>
[CollectionDefinition(nameof(FuzzTests), DisableParallelization = true)]
public sealed class FuzzTestsCollection;

/// <summary>
/// Hostile bytes over raw WebSockets: every malformed frame gets a defined answer (a handshake refusal, an error
/// completion after which the connection still works, or a close), nothing a refused frame carries takes effect, the
/// in-process server's memory stays bounded, and a well-behaved client on the same node loses no event meanwhile.
/// </summary>
[Collection(nameof(FuzzTests))]
public sealed class FuzzTests(FuzzTests.Node node, ITestOutputHelper output) : IClassFixture<FuzzTests.Node>
{
    private const int Rounds = 5;
    private const string HandshakeFailed = "handshake refused: An unexpected error occurred during connection handshake.";
    private const string HandshakeCanceled = "handshake refused: Handshake was canceled.";
    private const string ClosedWithError = "closed: Connection closed with an error.";
    private const string NoAnswer = "no answer";
    private const string Result = "result";
    private const string BindingFailed = "error: INVALID_ARGUMENT: Failed to invoke 'PinConversation' due to an error on the server.";

    /// <summary>How long a frame the server is still waiting to complete must stay unanswered.</summary>
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    /// <summary>More than MaximumReceiveMessageSize (64 KiB) and no record separator: ends any frame the server waits on.</summary>
    private static readonly byte[] Overflow = Utf8(new string(' ', 70 * 1024));

    private readonly RoamingNode _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    private delegate void WriteArguments(ref MessagePackWriter writer);

    /// <summary>One step of a case: frames to send, then the answer expected.</summary>
    private sealed record Step(byte[][] Frames, string Expected);

    private sealed record FuzzCase(string Name, string? Handshake, params Step[] Steps);

    private static Step Send(string expected, params byte[][] frames) => new(frames, expected);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] JsonRecord(string json) => Utf8(json + "\u001e");

    private const string PinArguments = """[{"conversationId":"victim","chatType":"singleChat","isPinned":true}]""";

    private static void Pin(ref MessagePackWriter writer)
    {
        writer.WriteArrayHeader(1);
        writer.WriteMapHeader(3);
        writer.Write("conversationId");
        writer.Write("victim");
        writer.Write("chatType");
        writer.Write(ChatTypes.SingleChat);
        writer.Write("isPinned");
        writer.Write(true);
    }

    /// <summary>A MessagePack invocation <c>[1, headers, "1", target, arguments, streamIds, extra…]</c>, length-prefixed.</summary>
    private static byte[] Invocation(string target, WriteArguments? arguments = null, WriteArguments? extra = null)
    {
        var body = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(body);
        writer.WriteArrayHeader(extra is null ? 6 : 7);
        writer.Write(1);
        writer.WriteMapHeader(0);
        writer.Write("1");
        writer.Write(target);
        if (arguments is null)
        {
            writer.WriteArrayHeader(0);
        }
        else
        {
            arguments(ref writer);
        }

        writer.WriteArrayHeader(0);
        extra?.Invoke(ref writer);
        writer.Flush();
        return LengthPrefixed(body.WrittenSpan);
    }

    /// <summary>The MessagePack hub protocol's framing: a little-endian base-128 length, then the message.</summary>
    private static byte[] LengthPrefixed(ReadOnlySpan<byte> body)
    {
        var prefix = new List<byte>();
        var length = body.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            prefix.Add(length > 0 ? (byte)(b | 0x80) : b);
        }
        while (length > 0);
        return [.. prefix, .. body];
    }

    private static byte[] Nested(int depth, WriteArguments head) => Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
    {
        head(ref w);
        for (var i = 0; i < depth; i++)
        {
            w.WriteArrayHeader(1);
        }

        w.WriteNil();
    });

    private static IEnumerable<FuzzCase> Cases()
    {
        // Before the handshake.
        yield return new("garbage instead of a handshake", null, Send(HandshakeFailed, [0x00, 0x01, 0xfe, .. Utf8("garbage\u001e")]));
        yield return new("unknown protocol name", null, Send("handshake refused: The protocol 'xml' is not supported.", JsonRecord("""{"protocol":"xml","version":1}""")));
        yield return new("unsupported protocol version", null,
            Send("handshake refused: The server does not support version 99 of the 'messagepack' protocol.", JsonRecord("""{"protocol":"messagepack","version":99}""")));
        yield return new("handshake without its record separator", null,
            Send(NoAnswer, Utf8("""{"protocol":"json","version":1}""")), Send(HandshakeCanceled, Overflow));
        yield return new("JSON invocation before the handshake", null,
            Send(HandshakeFailed, JsonRecord($$"""{"type":1,"invocationId":"1","target":"PinConversation","arguments":{{PinArguments}}}""")));
        yield return new("MessagePack invocation before the handshake", null,
            Send(NoAnswer, Invocation(HubMethods.PinConversation, Pin)), Send(HandshakeCanceled, Overflow));
        // SignalR reads the first JSON object as the handshake and drops what follows it up to the separator.
        yield return new("invocation glued to a handshake without a separator", null,
            Send("handshake accepted", Utf8($$"""{"protocol":"json","version":1}{"type":1,"invocationId":"1","target":"PinConversation","arguments":{{PinArguments}}}""" + "\u001e")),
            Send(NoAnswer));

        // MessagePack, after the handshake.
        yield return new("MessagePack cut short inside the message", "messagepack", Send(ClosedWithError, LengthPrefixed([0x96, 0x01, 0x80])));
        yield return new("frame shorter than its length prefix", "messagepack",
            Send(NoAnswer, [.. LengthPrefixed(new byte[200]).Take(20)]), Send(ClosedWithError, Overflow));
        yield return new("length prefix declaring 2 GiB", "messagepack",
            Send(NoAnswer, [0xff, 0xff, 0xff, 0xff, 0x07, 0x96]), Send(ClosedWithError, Overflow));
        yield return new("str32 target declaring 4 GiB", "messagepack",
            Send(ClosedWithError, LengthPrefixed([0x96, 0x01, 0x80, 0xa1, (byte)'1', 0xdb, 0xff, 0xff, 0xff, 0xf0, (byte)'x'])));
        yield return new("str32 argument field declaring 4 GiB", "messagepack", Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteMapHeader(1);
            w.Write("conversationId");
            w.WriteRaw(new byte[] { 0xdb, 0xff, 0xff, 0xff, 0xf0, (byte)'x' });
        })));
        yield return new("array32 arguments declaring 4 billion", "messagepack",
            Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) => w.WriteRaw(new byte[] { 0xdd, 0xff, 0xff, 0xff, 0xff }))));
        yield return new("map32 argument declaring 4 billion entries", "messagepack", Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteRaw(new byte[] { 0xdf, 0xff, 0xff, 0xff, 0xff });
        })));
        yield return new("array32 msgIds declaring 268 million ids", "messagepack",
            Send("error: INVALID_ARGUMENT: Failed to invoke 'DeleteRemoteMessagesWithIds' due to an error on the server.",
                Invocation(HubMethods.DeleteRemoteMessagesWithIds, (ref MessagePackWriter w) =>
                {
                    w.WriteArrayHeader(1);
                    w.WriteMapHeader(1);
                    w.Write("msgIds");
                    w.WriteRaw(new byte[] { 0xdd, 0x0f, 0xff, 0xff, 0xff });
                })));
        yield return new("map32 headers declaring 4 billion entries", "messagepack", Send(ClosedWithError, LengthPrefixed([0x96, 0x01, 0xdf, 0xff, 0xff, 0xff, 0xff])));
        yield return new("argument nested 10,000 arrays deep", "messagepack", Send(BindingFailed, Nested(10_000, (ref MessagePackWriter w) => w.WriteArrayHeader(1))));
        // Refused by its name, before its value is read.
        yield return new("unknown argument field nested 60,000 arrays deep", "messagepack", Send(
            "error: INVALID_ARGUMENT: Unknown field 'unknown' in PinConversationRequest, whose fields are conversationId, chatType, isPinned and clientOpId; see docs/protocol.md.",
            Nested(60_000, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteMapHeader(1);
            w.Write("unknown");
        })));
        yield return new("extra message field nested 60,000 arrays deep", "messagepack", Send(Result, Invocation(HubMethods.GetSyncState, extra: (ref MessagePackWriter w) =>
        {
            for (var i = 0; i < 60_000; i++)
            {
                w.WriteArrayHeader(1);
            }

            w.WriteNil();
        })));
        yield return new("unknown method", "messagepack", Send("error: INVALID_ARGUMENT: Method does not exist.", Invocation("DropAllTables")));
        yield return new("integer where the argument object belongs", "messagepack", Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.Write(42);
        })));
        yield return new("two arguments where one belongs", "messagepack", Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(2);
            w.WriteNil();
            w.WriteNil();
        })));
        yield return new("string where isPinned's boolean belongs", "messagepack", Send(BindingFailed, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteMapHeader(1);
            w.Write("isPinned");
            w.Write("yes");
        })));
        yield return new("integer invocation id", "messagepack", Send(ClosedWithError, LengthPrefixed([0x96, 0x01, 0x80, 0x05, 0xa1, (byte)'x', 0x90, 0x90])));
        // SignalR skips an unknown message type but then stops reading the connection until it overflows.
        yield return new("unknown message type 99", "messagepack",
            Send(NoAnswer, LengthPrefixed([0x91, 0x63]), Invocation(HubMethods.GetSyncState)), Send(ClosedWithError, Overflow));
        yield return new("frame of 100 KiB, beyond MaximumReceiveMessageSize", "messagepack", Send(ClosedWithError, Invocation(HubMethods.PinConversation, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteMapHeader(1);
            w.Write("conversationId");
            w.Write(new string('a', 100 * 1024));
        })));

        // JSON, after the handshake.
        yield return new("malformed JSON", "json", Send(ClosedWithError, JsonRecord("""{"type":1,""")));
        yield return new("JSON argument nested 10,000 arrays deep", "json",
            Send(ClosedWithError, JsonRecord($$"""{"type":1,"invocationId":"1","target":"PinConversation","arguments":[{{new string('[', 10_000)}}{{new string(']', 10_000)}}]}""")));
        yield return new("unknown method (JSON)", "json",
            Send("error: INVALID_ARGUMENT: Method does not exist.", JsonRecord("""{"type":1,"invocationId":"1","target":"DropAllTables","arguments":[]}""")));
        yield return new("string where isPinned's boolean belongs (JSON)", "json",
            Send(BindingFailed, JsonRecord("""{"type":1,"invocationId":"1","target":"PinConversation","arguments":[{"isPinned":"yes"}]}""")));
        yield return new("frame of 100 KiB, beyond MaximumReceiveMessageSize (JSON)", "json",
            Send(ClosedWithError, JsonRecord($$"""{"type":1,"invocationId":"1","target":"PinConversation","arguments":[{"conversationId":"{{new string('a', 100 * 1024)}}"}]}""")));
        yield return new("unknown message type 99 (JSON)", "json",
            Send(NoAnswer, JsonRecord("""{"type":99}"""), JsonRecord("""{"type":1,"invocationId":"1","target":"GetSyncState","arguments":[]}""")),
            Send(ClosedWithError, Overflow));
    }

    [Fact]
    public async Task Malformed_frames_get_defined_answers_while_memory_stays_bounded_and_a_control_client_loses_nothing()
    {
        var owner = TestIds.User("control");
        await using var control = await _node.ConnectAsync(owner, "control");
        await using var pinner = await _node.ConnectAsync(owner, "pinner");
        var received = new Recorder(control);
        var events = _node.Services.GetRequiredService<IEventLog>();
        var cases = Cases().ToList();

        var memoryBefore = SettledManagedMemory();
        var workingSetBefore = WorkingSet();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var barrageDone = new CancellationTokenSource();
        var peakManaged = Task.Run(() => SamplePeakManagedMemory(barrageDone.Token));
        // 40 pins a second: inside the per-connection rate limit (50/s), so every one is acknowledged.
        var acknowledged = Task.Run(() => PinUntilAsync(pinner, barrageDone.Token));
        var clock = Stopwatch.StartNew();

        // Each round sends every case at once, on its own connection; rounds follow each other, so the barrage
        // lasts long enough for the control stream to interleave with it.
        var results = new List<ProbeResult>();
        for (var round = 0; round < Rounds; round++)
        {
            results.AddRange(await Task.WhenAll(cases.Select(RunAsync)));
        }

        var barrageTime = clock.Elapsed;
        await barrageDone.CancelAsync();
        var seqs = await acknowledged;
        var peak = await peakManaged;

        foreach (var (fuzzCase, result) in Enumerable.Range(0, Rounds).SelectMany(_ => cases).Zip(results))
        {
            Assert.True(Expected(fuzzCase).SequenceEqual(result.Outcomes), $"{fuzzCase.Name}: {string.Join(" / ", result.Outcomes)}");
        }

        // Nothing a refused or dropped frame carried took effect.
        foreach (var result in results)
        {
            Assert.Equal(0, await events.GetLastSeqAsync(result.UserId, default));
        }

        // The control device got every pin its other device made, live, once each. Its periodic probe may still fetch
        // a pin whose push is on its way (pins never stop during the barrage); that pin's live push then arrives and
        // is dropped, so every early recovery has exactly one dropped twin, and nothing else is dropped.
        await received.WaitForEventsAsync(seqs.Count);
        await Recorder.SettleAsync();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal(seqs, received.RawEvents.Select(e => e.Seq));
        Assert.Equal(seqs, received.Events.Select(e => e.Seq));
        Assert.Equal(control.EventsRecovered, control.DuplicatesDropped);

        // The node is up and serves new connections.
        using (var http = _node.CreateHttpClient())
        using (var health = await http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        await using (var fresh = await _node.ConnectAsync(TestIds.User("after")))
        {
            Assert.Equal(0, (await fresh.GetSyncStateAsync()).LastSeq);
        }

        var memoryAfter = SettledManagedMemory();
        var workingSetAfter = WorkingSet();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var frames = results.Sum(r => r.FramesSent);
        output.WriteLine($"{results.Count} connections ({cases.Count} cases x {Rounds}), {frames} frames, {results.Sum(r => r.BytesSent) / 1024} KiB sent in {barrageTime.TotalMilliseconds:F0} ms");
        foreach (var group in results.SelectMany(r => r.Outcomes).GroupBy(o => o).OrderByDescending(g => g.Count()))
        {
            output.WriteLine($"  {group.Count(),4} x {group.Key}");
        }

        output.WriteLine($"control: {seqs.Count} pins acknowledged, {received.RawEvents.Count} received live, {control.EventsRecovered} recovered, 0 lost");
        output.WriteLine($"managed heap: {Mib(memoryBefore)} MiB before, {Mib(peak)} MiB peak, {Mib(memoryAfter)} MiB after; allocated {Mib(allocated)} MiB");
        output.WriteLine($"working set: {Mib(workingSetBefore)} MiB before, {Mib(workingSetAfter)} MiB after");

        Assert.True(seqs.Count >= 20, $"only {seqs.Count} pins during the barrage");
        Assert.InRange(memoryAfter - memoryBefore, long.MinValue, 64L << 20);
        Assert.InRange(peak - memoryBefore, long.MinValue, 256L << 20);
        Assert.InRange(allocated, 0, 1L << 30);
        Assert.InRange(workingSetAfter - workingSetBefore, long.MinValue, 256L << 20);
    }

    private sealed record ProbeResult(string UserId, IReadOnlyList<string> Outcomes, int FramesSent, long BytesSent);

    /// <summary>
    /// Each step's answer, then what must follow the last: a connection that was closed or refused is really closed
    /// by the server; any other still answers a valid call.
    /// </summary>
    private static IEnumerable<string> Expected(FuzzCase fuzzCase) =>
        fuzzCase.Steps.Select(s => s.Expected).Append(Ends(fuzzCase.Steps[^1].Expected) ? "socket closed" : "still works");

    private static bool Ends(string outcome) =>
        outcome.StartsWith("closed: ", StringComparison.Ordinal) || outcome.StartsWith("handshake refused: ", StringComparison.Ordinal);

    private async Task<ProbeResult> RunAsync(FuzzCase fuzzCase)
    {
        var userId = TestIds.User("fuzz");
        await using var probe = await Probe.OpenAsync(_node, userId, fuzzCase.Handshake);
        var outcomes = new List<string>();
        foreach (var step in fuzzCase.Steps)
        {
            foreach (var frame in step.Frames)
            {
                await probe.SendAsync(frame);
            }

            outcomes.Add(await probe.NextAsync(step.Expected == NoAnswer ? Quiet : TimeSpan.FromSeconds(10)));
        }

        outcomes.Add(Ends(outcomes[^1]) ? await probe.ClosesAsync() : await probe.StillWorksAsync());
        return new ProbeResult(userId, outcomes, probe.FramesSent, probe.BytesSent);
    }

    private static async Task<List<long>> PinUntilAsync(RoamingHubClient pinner, CancellationToken stop)
    {
        var seqs = new List<long>();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        for (var i = 0; await timer.WaitForNextTickAsync(CancellationToken.None) && !stop.IsCancellationRequested; i++)
        {
            var result = await pinner.PinConversationAsync(new PinConversationRequest
            {
                ConversationId = $"c{i % 40}",
                ChatType = ChatTypes.SingleChat,
                IsPinned = i / 40 % 2 == 0,
            });
            seqs.Add(result.Seq!.Value);
        }

        return seqs;
    }

    private static async Task<long> SamplePeakManagedMemory(CancellationToken stop)
    {
        var peak = 0L;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            await Task.Delay(5, CancellationToken.None);
        }

        return peak;
    }

    private static long SettledManagedMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long WorkingSet()
    {
        using var process = Process.GetCurrentProcess();
        return process.WorkingSet64;
    }

    private static long Mib(long bytes) => bytes >> 20;

    /// <summary>
    /// A hub connection spoken byte by byte: it sends whatever frames it is given and reads the server's answer
    /// as one of a few outcomes, in either hub protocol or before any handshake.
    /// </summary>
    private sealed class Probe : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();

        /// <summary>
        /// Whole WebSocket messages as they arrive; completed when the server closes. A background loop reads them,
        /// because cancelling a pending receive would abort the socket, and "no answer yet" must leave it open.
        /// </summary>
        private readonly Channel<byte[]> _frames = Channel.CreateUnbounded<byte[]>();
        private string? _protocol;
        private Task _reading = Task.CompletedTask;

        public int FramesSent { get; private set; }

        public long BytesSent { get; private set; }

        private bool Binary => _protocol == "messagepack";

        public static async Task<Probe> OpenAsync(RoamingNode node, string userId, string? handshake)
        {
            var token = await node.IssueTokenAsync(userId);
            var probe = new Probe();
            var uri = new UriBuilder(new Uri(node.BaseAddress, RoamingProtocol.HubPath)) { Scheme = "ws", Query = $"access_token={token}" }.Uri;
            await probe._socket.ConnectAsync(uri, CancellationToken.None);
            probe._reading = probe.ReadLoopAsync();
            if (handshake is not null)
            {
                await probe.SendAsync(JsonRecord($$"""{"protocol":"{{handshake}}","version":1}"""));
                Assert.Equal("handshake accepted", await probe.NextAsync(TimeSpan.FromSeconds(10)));
                probe._protocol = handshake;
            }

            return probe;
        }

        public async Task SendAsync(byte[] frame)
        {
            FramesSent++;
            BytesSent += frame.Length;
            var text = _protocol == "json" || (_protocol is null && frame is [(byte)'{', ..]);
            try
            {
                await _socket.SendAsync(frame, text ? WebSocketMessageType.Text : WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
            {
                // The server may close in the middle of an oversized frame (the socket is then aborted, and a send on
                // it fails either way); its answer is read next.
            }
        }

        /// <summary>The next answer: a handshake outcome, an invocation's result or error, a close, or nothing in time.</summary>
        public async Task<string> NextAsync(TimeSpan wait)
        {
            using var timeout = new CancellationTokenSource(wait);
            try
            {
                while (await _frames.Reader.WaitToReadAsync(timeout.Token))
                {
                    if (Read(await _frames.Reader.ReadAsync(timeout.Token)) is { } outcome)
                    {
                        return outcome;
                    }
                }

                return "socket closed";
            }
            catch (OperationCanceledException)
            {
                return NoAnswer;
            }
        }

        public async Task<string> StillWorksAsync()
        {
            await SendAsync(Binary
                ? Invocation(HubMethods.GetSyncState)
                : JsonRecord("""{"type":1,"invocationId":"2","target":"GetSyncState","arguments":[]}"""));
            return await NextAsync(TimeSpan.FromSeconds(10)) == Result ? "still works" : "stopped working";
        }

        /// <summary>Waits for the server to close the socket; answers that come first are dropped.</summary>
        public async Task<string> ClosesAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _reading.WaitAsync(timeout.Token);
                return "socket closed";
            }
            catch (TimeoutException)
            {
                return "left open";
            }
            catch (OperationCanceledException)
            {
                return "left open";
            }
        }

        public async ValueTask DisposeAsync()
        {
            _socket.Abort();
            await _reading;
            _socket.Dispose();
        }

        private async Task ReadLoopAsync()
        {
            var buffer = new ArrayBufferWriter<byte>();
            try
            {
                while (true)
                {
                    var result = await _socket.ReceiveAsync(buffer.GetMemory(4096), CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    buffer.Advance(result.Count);
                    if (result.EndOfMessage)
                    {
                        _frames.Writer.TryWrite(buffer.WrittenSpan.ToArray());
                        buffer.ResetWrittenCount();
                    }
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // Aborted: by the server mid-frame, or by DisposeAsync.
            }
            finally
            {
                _frames.Writer.TryComplete();
            }
        }

        private string? Read(byte[] frame)
        {
            if (_protocol is null)
            {
                var answer = JsonNode.Parse(Encoding.UTF8.GetString(frame).TrimEnd('\u001e'))!.AsObject();
                if (answer["error"] is { } error)
                {
                    return "handshake refused: " + (string?)error;
                }

                // Only the case that glues an invocation to its handshake gets here without one; it speaks JSON.
                _protocol = "json";
                return "handshake accepted";
            }

            return Binary ? ReadMessagePack(frame) : ReadJson(frame);
        }

        private static string? ReadJson(byte[] frame)
        {
            foreach (var record in Encoding.UTF8.GetString(frame).Split('\u001e', StringSplitOptions.RemoveEmptyEntries))
            {
                var message = JsonNode.Parse(record)!.AsObject();
                switch ((int)message["type"]!)
                {
                    case 3:
                        return message["error"] is { } error ? "error: " + (string?)error : Result;
                    case 7:
                        return "closed: " + (string?)message["error"];
                }
            }

            return null;
        }

        private static string? ReadMessagePack(byte[] frame)
        {
            var remaining = frame.AsMemory();
            while (remaining.Length > 0)
            {
                var (length, prefix) = (0, 0);
                byte b;
                do
                {
                    b = remaining.Span[prefix];
                    length |= (b & 0x7f) << (7 * prefix);
                    prefix++;
                }
                while ((b & 0x80) != 0);

                var reader = new MessagePackReader(remaining.Slice(prefix, length));
                remaining = remaining[(prefix + length)..];
                reader.ReadArrayHeader();
                switch (reader.ReadInt32())
                {
                    case 3:
                        reader.Skip(); // headers
                        reader.Skip(); // invocation id
                        return reader.ReadInt32() == 1 ? "error: " + reader.ReadString() : Result;
                    case 7:
                        return "closed: " + (reader.TryReadNil() ? "" : reader.ReadString());
                }
            }

            return null;
        }
    }
}
