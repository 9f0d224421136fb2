using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Xunit.Abstractions;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// redis-server with <c>appendfsync always</c>, SIGKILLed at random points while several clients stream
/// acknowledged sends and pins: after each restart every acknowledged change is there, and nothing is half-applied.
/// </summary>
public sealed class DurabilityTests(ITestOutputHelper output)
{
    private const int Writers = 3;
    private const int OperationsPerWriter = 30;
    private const int Kills = 3;

    [Fact]
    public async Task Every_acknowledged_message_and_pin_survives_SIGKILLs_of_redis_server()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var redis = RedisServer.StartDedicated(durable: true);
        using var node = new RoamingNode(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Redis"] = redis.ConnectionString + ",connectTimeout=500",
            ["Roaming:RedisKeyPrefix"] = TestIds.Prefix(),
        });
        var dave = TestIds.User("dave");
        var writers = new List<(string User, RoamingHubClient Client)>();
        for (var w = 0; w < Writers; w++)
        {
            var user = TestIds.User($"writer{w}");
            // The node starts before its connection to the fresh redis-server is up, and refuses connects meanwhile.
            writers.Add((user, await Retry.UntilAcknowledgedAsync(() => RoamingNode.ConnectAsync(node.BaseAddress, user, "phone", reconnect: true))));
        }

        var acknowledged = new ConcurrentBag<Message>();
        var expectedPins = new ConcurrentDictionary<(string User, string Peer), bool>();
        // Kills are placed by progress, not by the clock: the writer that starts a seeded operation sends it, waits a
        // seeded 0–4 ms and kills redis-server itself, so each kill lands before that write is answered, somewhere
        // between the client's send and the node's script, however busy the machine is.
        // No stream may finish before the last kill: the last operation of each waits for it. That cannot stall the
        // kills, since the last kill point (about three quarters of the total) comes before every writer's last operation.
        const int Total = Writers * OperationsPerWriter;
        var killAt = Enumerable.Range(1, Kills).ToDictionary(k => (k * Total / (Kills + 1)) + random.Next(-3, 4), _ => random.Next(0, 5));
        Assert.Equal(Kills, killAt.Count);
        var (started, kills, killsBeforeTheAnswer) = (0, 0, 0);
        var killGate = new SemaphoreSlim(1, 1);
        var lastKill = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streams = writers.Select(writer => Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < OperationsPerWriter; i++)
                {
                    if (i == OperationsPerWriter - 1)
                    {
                        await lastKill.Task.WaitAsync(TimeSpan.FromSeconds(120));
                    }

                    var opId = $"{writer.User}-{i}";
                    var killsRedis = killAt.TryGetValue(Interlocked.Increment(ref started), out var killDelayMs);
                    if (killsRedis)
                    {
                        await killGate.WaitAsync();
                    }

                    var write = i % 2 == 0 ? SendAsync(writer.Client, opId, i) : PinAsync(writer, opId, i);
                    if (killsRedis)
                    {
                        try
                        {
                            await Task.Delay(killDelayMs);
                            redis.Kill();
                            killsBeforeTheAnswer += write.IsCompleted ? 0 : 1; // under killGate
                            await Task.Delay(200);
                            redis.Start();
                        }
                        finally
                        {
                            killGate.Release();
                        }

                        if (Interlocked.Increment(ref kills) == Kills)
                        {
                            lastKill.TrySetResult();
                        }
                    }

                    await write;
                }
            }
            catch (Exception e)
            {
                // The other streams stop waiting for a kill that may never come, and fail with this cause.
                lastKill.TrySetException(e);
                throw;
            }
        })).ToList();
        await Task.WhenAll(streams);

        async Task SendAsync(RoamingHubClient client, string opId, int i) => acknowledged.Add(await Retry.UntilAcknowledgedAsync(() => client.SendMessageAsync(
            new SendMessageRequest { To = dave, ChatType = ChatTypes.SingleChat, Body = $"m{i}", ClientOpId = opId })));

        async Task PinAsync((string User, RoamingHubClient Client) writer, string opId, int i)
        {
            var peer = $"peer{i % 4}";
            var pin = i % 3 != 0;
            await Retry.UntilAcknowledgedAsync(() => writer.Client.PinConversationAsync(
                new PinConversationRequest { ConversationId = peer, ChatType = ChatTypes.SingleChat, IsPinned = pin, ClientOpId = opId }));
            expectedPins[(writer.User, peer)] = pin;
        }

        // Reads after the last restart repeat like the writes did: the node's connections to Redis may still be coming back.
        await using var reader = await Retry.UntilAcknowledgedAsync(() => RoamingNode.ConnectAsync(node.BaseAddress, dave, "reader"));
        var history = new List<Message>();
        string? cursor = null;
        do
        {
            var page = await Retry.UntilAcknowledgedAsync(() => reader.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = writers[0].User, ChatType = ChatTypes.SingleChat, Cursor = cursor, PageSize = 50 }));
            history.AddRange(page.Data);
            cursor = page.Cursor;
        }
        while (cursor is not null);
        var writer0Sent = acknowledged.Where(m => m.From == writers[0].User).Select(m => m.MsgId).Order(StringComparer.Ordinal);
        Assert.True(writer0Sent.SequenceEqual(history.Select(m => m.MsgId).Order(StringComparer.Ordinal)), $"seed {seed}: the recipient's history holds every acknowledged message once");

        foreach (var (user, client) in writers)
        {
            var mine = acknowledged.Where(m => m.From == user).Select(m => m.MsgId).Order(StringComparer.Ordinal).ToList();
            var theirs = await Retry.UntilAcknowledgedAsync(() => client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = dave, ChatType = ChatTypes.SingleChat, PageSize = 50 }));
            Assert.True(mine.SequenceEqual(theirs.Data.Select(m => m.MsgId).Order(StringComparer.Ordinal)), $"seed {seed}: {user}'s acknowledged messages are all stored, once");

            var conversations = (await Retry.UntilAcknowledgedAsync(() => client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 }))).Data;
            Assert.Equal(theirs.Data[0].MsgId, conversations.Single(c => c.ConversationId == dave).LastMessage!.MsgId);
            var pinned = (await Retry.UntilAcknowledgedAsync(() => client.FetchPinnedConversationsAsync(new FetchConversationsRequest { PageSize = 50 }))).Data.Select(c => c.ConversationId).Order(StringComparer.Ordinal);
            var expected = expectedPins.Where(p => p.Key.User == user && p.Value).Select(p => p.Key.Peer).Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(pinned), $"seed {seed}: {user}'s pins are as acknowledged");
            await client.DisposeAsync();
        }

        var daves = (await Retry.UntilAcknowledgedAsync(() => reader.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 }))).Data;
        Assert.Equal(Writers, daves.Count);
        Assert.Equal(Writers * OperationsPerWriter / 2, daves.Sum(c => c.UnreadCount));
        output.WriteLine($"seed {seed}: {Writers * OperationsPerWriter} acknowledged operations ({acknowledged.Count} messages), {kills} SIGKILLs mid-stream ({killsBeforeTheAnswer} before the killing write was answered), 0 lost, 0 duplicated");
    }
}
