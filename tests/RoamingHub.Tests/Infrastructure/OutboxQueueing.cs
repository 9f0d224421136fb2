using RoamingHub.Server.Hubs.Delivery;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>Queues into an outbox the way a push for many connections does (LocalConnections): here, then sent from the thread pool.</summary>
public static class OutboxQueueing
{
    /// <summary><see cref="ConnectionOutbox.TryQueue"/>, then <see cref="ConnectionOutbox.SendPending"/> on a thread-pool thread.</summary>
    internal static bool TryQueueForThreadPool(this ConnectionOutbox outbox, OutboxItem item)
    {
        if (!outbox.TryQueue(item))
        {
            return false;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static queued => queued.SendPending(), outbox, preferLocal: false);
        return true;
    }
}
