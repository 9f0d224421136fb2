using StackExchange.Redis;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// Every Redis pub/sub channel the nodes use, built from the deployment's key prefix, so that deployments sharing one
/// Redis never hear each other.
/// </summary>
internal sealed class DeliveryChannels(string prefix)
{
    /// <summary>Where each node publishes, once per change, the pushes for devices on other nodes; every node subscribes.</summary>
    public RedisChannel Deliver { get; } = RedisChannel.Literal(prefix + ":deliver");
}
