using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Lets a store script publish the push of the entry it appends on the nodes' delivery channel, in the same atomic
/// step (<c>Scripts/lib/delivery.lua</c>): the change then costs Redis one call instead of two. The message carries the
/// delivery layer's node id, so the node that made the change skips it as it skips its own publishes. Without a
/// publisher the scripts publish nothing, and the node publishes the push itself.
/// </summary>
internal interface IEntryPublisher
{
    /// <summary>The channel every node hears.</summary>
    RedisChannel Channel { get; }

    /// <summary>The delivery message of one push of <paramref name="method"/>, from this node, up to its payload.</summary>
    byte[] EntryHead(string method);

    /// <summary>The message's one target, <paramref name="userId"/>, up to the seq and epoch only the script knows.</summary>
    byte[] EntryTarget(string userId);
}
