using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features;
using RoamingHub.Server.Hubs.Delivery;

namespace RoamingHub.Server.Hubs;

/// <summary>
/// Delivers pushes without making the call wait: each goes into the outbox of every local connection of its targets
/// (except the connection that made the change), and, with Redis, the whole call is published once for the other
/// nodes, less the pushes the store published already in the step that logged them. Live delivery is at most once;
/// devices recover what they miss from their stream.
/// </summary>
internal sealed class DeviceNotifier(LocalConnections local, RedisDeliveryBus? bus) : IDeviceNotifier
{
    public void Deliver(params IReadOnlyList<Push> pushes)
    {
        // A call whose change reaches nobody (a repeat whose entries were all made before) publishes nothing.
        var toDeliver = Keep(pushes, static push => push.Targets.Count > 0);

        if (toDeliver.Count == 0)
        {
            return;
        }

        foreach (var push in toDeliver)
        {
            if (RoamingMetrics.StreamEntriesEnabled)
            {
                RoamingMetrics.StreamEntriesAppended(push.Method, EntriesOf(push));
            }

            local.Enqueue(push);
        }

        bus?.Publish(Keep(toDeliver, static push => !push.PublishedByStore));
    }

    /// <summary>The pushes that pass <paramref name="keep"/>: <paramref name="pushes"/> itself when all do, as nearly every call's do, so it allocates nothing.</summary>
    private static IReadOnlyList<Push> Keep(IReadOnlyList<Push> pushes, Func<Push, bool> keep)
    {
        for (var i = 0; i < pushes.Count; i++)
        {
            if (!keep(pushes[i]))
            {
                return [.. pushes.Where(keep)];
            }
        }

        return pushes;
    }

    /// <summary>The stream entries behind <paramref name="push"/>: one per target whose stream holds it (it has a seq).</summary>
    private static int EntriesOf(Push push)
    {
        var entries = 0;
        var targets = push.Targets;
        for (var i = 0; i < targets.Count; i++)
        {
            if (targets[i].Seq is not null)
            {
                entries++;
            }
        }

        return entries;
    }
}
