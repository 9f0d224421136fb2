using System.Collections.Concurrent;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Server.Storage.Redis;
using StackExchange.Redis;

namespace RoamingHub.Server.Hosting;

/// <summary>
/// Lets the Redis store's scripts publish their entry's push as this node's delivery bus would: on its channel, under
/// its node id, in its format. The store and the delivery layer do not know each other; this joins them.
/// </summary>
internal sealed class DeliveryEntryPublisher(RedisDeliveryBus bus) : IEntryPublisher
{
    private readonly ConcurrentDictionary<string, byte[]> _heads = new(StringComparer.Ordinal);

    public RedisChannel Channel => bus.Channel;

    public byte[] EntryHead(string method) => _heads.GetOrAdd(method, static (method, node) => DeliveryProtocol.WriteEntryHead(node, method), bus.NodeId);

    public byte[] EntryTarget(string userId) => DeliveryProtocol.WriteEntryTarget(userId);
}
