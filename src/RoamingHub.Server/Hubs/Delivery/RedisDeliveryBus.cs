using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features;
using RoamingHub.Server.Settings;
using StackExchange.Redis;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// Carries pushes between nodes over one Redis channel: each node publishes every change once, and delivers what the
/// others publish to its own connections. Replaces SignalR's backplane, which published once per user group and
/// subscribed once per connection.
/// </summary>
/// <remarks>
/// Publishing is fire-and-forget and pub/sub is at most once: a lost message costs a device a live push, never the
/// entry, which stays in the user's stream. One subscriber queue handles messages in the order Redis delivers them,
/// so one node's pushes reach a connection in the order they were published. A store script that publishes its
/// entry's push itself writes it under this node's id (<c>Hosting/DeliveryEntryPublisher</c>), so it is skipped here too.
/// </remarks>
internal sealed class RedisDeliveryBus(
    IConnectionMultiplexer redis, LocalConnections local, IOptions<RoamingOptions> options, ILogger<RedisDeliveryBus> logger) : BackgroundService
{
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(2);

    private readonly DeliveryChannels _channels = new(options.Value.RedisKeyPrefix);

    /// <summary>This node's id in the messages it publishes; new at every start.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N");

    /// <summary>The channel this node publishes on and hears.</summary>
    public RedisChannel Channel => _channels.Deliver;

    /// <summary>Publishes one <see cref="IDeviceNotifier.Deliver"/> call for the other nodes without waiting for Redis.</summary>
    public void Publish(IReadOnlyList<Push> pushes)
    {
        if (pushes.Count > 0)
        {
            _ = PublishAsync(DeliveryProtocol.Write(NodeId, pushes));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis may be away when the node starts; the node serves anyway and subscribes as soon as it can. Once
        // subscribed, the multiplexer restores the subscription after every reconnect by itself.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await redis.GetSubscriber().SubscribeAsync(_channels.Deliver).ConfigureAwait(false);
                queue.OnMessage(Receive);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                Log.DeliverySubscribeFailed(logger, ex);
                await Task.Delay(SubscribeRetryDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private void Receive(ChannelMessage message)
    {
        IReadOnlyList<Push>? pushes;
        try
        {
            pushes = DeliveryProtocol.ReadUnlessFrom((ReadOnlyMemory<byte>)message.Message, NodeId);
        }
        catch (Exception ex) when (ex is MessagePack.MessagePackSerializationException or EndOfStreamException or InvalidOperationException)
        {
            Log.DeliveryMessageUnreadable(logger, ex);
            return;
        }

        foreach (var push in pushes ?? [])
        {
            local.Enqueue(push);
        }
    }

    private async Task PublishAsync(byte[] message)
    {
        var start = RoamingMetrics.PublishStarted();
        try
        {
            await redis.GetSubscriber().PublishAsync(_channels.Deliver, message).ConfigureAwait(false);
            RoamingMetrics.PublishEnded(RoamingMetrics.Ok, start);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            RoamingMetrics.PublishEnded(ErrorCodes.Unavailable, start);
            Log.DeliveryPublishFailed(logger, ex);
        }
    }
}
