using System.Collections.Concurrent;
using StackExchange.Redis;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>
/// Hears one Redis pub/sub channel for a test, as a node would, and keeps every message; disposing it unsubscribes.
/// </summary>
public sealed class ChannelTap : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    private readonly ISubscriber _subscriber;
    private readonly RedisChannel _channel;
    private readonly ConcurrentQueue<byte[]> _messages = new();

    private ChannelTap(ISubscriber subscriber, RedisChannel channel) => (_subscriber, _channel) = (subscriber, channel);

    public static async Task<ChannelTap> StartAsync(IConnectionMultiplexer redis, RedisChannel channel)
    {
        var tap = new ChannelTap(redis.GetSubscriber(), channel);
        await tap._subscriber.SubscribeAsync(channel, (_, message) => tap._messages.Enqueue((byte[])message!));
        return tap;
    }

    /// <summary>
    /// Every message heard once at least <paramref name="expected"/> came (or 20 s passed: the caller's assertion then
    /// says what is missing), and a round trip on the subscriber's connection and a pause later, so that one too many
    /// has the time to come. On a cluster a publish from another master is not ordered with that round trip; the pause
    /// covers it.
    /// </summary>
    public async Task<IReadOnlyList<byte[]>> SettledAsync(int expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (_messages.Count < expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await _subscriber.PingAsync();
        await Task.Delay(Pause);
        return [.. _messages];
    }

    public async ValueTask DisposeAsync() => await _subscriber.UnsubscribeAsync(_channel);
}
