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
            writers.Add((user, await RoamingNode.ConnectAsync(node.BaseAddress, user, "phone", reconnect: true)));
        }

        var acknowledged = new ConcurrentBag<Message>();
        var expectedPins = new ConcurrentDictionary<(string User, string Peer), bool>();
        var streams = writers.Select(writer => Task.Run(async () =>
        {
            for (var i = 0; i < OperationsPerWriter; i++)
            {
                // Paced, so the kills below land in the middle of the stream rather than after it.
                await Task.Delay(25);
                var opId = $"{writer.User}-{i}";
                if (i % 2 == 0)
                {
                    acknowledged.Add(await Retry.UntilAcknowledgedAsync(() => writer.Client.SendMessageAsync(
                        new SendMessageRequest { To = dave, ChatType = ChatTypes.SingleChat, Body = $"m{i}", ClientOpId = opId })));
                }
                else
                {
                    var peer = $"peer{i % 4}";
                    var pin = i % 3 != 0;
                    await Retry.UntilAcknowledgedAsync(() => writer.Client.PinConversationAsync(
                        new PinConversationRequest { ConversationId = peer, ChatType = ChatTypes.SingleChat, IsPinned = pin, ClientOpId = opId }));
                    expectedPins[(writer.User, peer)] = pin;
                }
            }
        })).ToList();
        var killsMidStream = 0;
        var chaos = Task.Run(async () =>
        {
            for (var k = 0; k < Kills && !streams.All(s => s.IsCompleted); k++)
            {
                await Task.Delay(random.Next(100, 400));
                redis.Kill();
                killsMidStream += streams.All(s => s.IsCompleted) ? 0 : 1;
                await Task.Delay(200);
                redis.Start();
            }
        });
        await Task.WhenAll(streams.Append(chaos));
        Assert.True(killsMidStream >= 2, $"seed {seed}: only {killsMidStream} kills landed mid-stream");

        await using var reader = await RoamingNode.ConnectAsync(node.BaseAddress, dave, "reader");
        var history = new List<Message>();
        string? cursor = null;
        do
        {
            var page = await reader.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = writers[0].User, ChatType = ChatTypes.SingleChat, Cursor = cursor, PageSize = 50 });
            history.AddRange(page.Data);
            cursor = page.Cursor;
        }
        while (cursor is not null);

        foreach (var (user, client) in writers)
        {
            var mine = acknowledged.Where(m => m.From == user).Select(m => m.MsgId).Order(StringComparer.Ordinal).ToList();
            var theirs = await client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = dave, ChatType = ChatTypes.SingleChat, PageSize = 50 });
            Assert.True(mine.SequenceEqual(theirs.Data.Select(m => m.MsgId).Order(StringComparer.Ordinal)), $"seed {seed}: {user}'s acknowledged messages are all stored, once");

            var conversations = (await client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data;
            Assert.Equal(theirs.Data[0].MsgId, conversations.Single(c => c.ConversationId == dave).LastMessage!.MsgId);
            var pinned = (await client.FetchPinnedConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data.Select(c => c.ConversationId).Order(StringComparer.Ordinal);
            var expected = expectedPins.Where(p => p.Key.User == user && p.Value).Select(p => p.Key.Peer).Order(StringComparer.Ordinal);
            Assert.True(expected.SequenceEqual(pinned), $"seed {seed}: {user}'s pins are as acknowledged");
            await client.DisposeAsync();
        }

        var daves = (await reader.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data;
        Assert.Equal(Writers, daves.Count);
        Assert.Equal(Writers * OperationsPerWriter / 2, daves.Sum(c => c.UnreadCount));
        output.WriteLine($"seed {seed}: {Writers * OperationsPerWriter} acknowledged operations ({acknowledged.Count} messages), {killsMidStream} SIGKILLs mid-stream, 0 lost, 0 duplicated");
    }
}
