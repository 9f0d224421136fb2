using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using RoamingHub.Server.Diagnostics;
using RoamingHub.Server.Features;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Hubs.Delivery;

/// <summary>
/// The hub connections open on this node, by user, each with its <see cref="ConnectionOutbox"/>. Every push for a
/// local connection goes through here, whichever node made the change, so a connection's pushes come out of one queue
/// in the order they were handed over.
/// </summary>
internal sealed class LocalConnections(IHubContext<DeviceHub> hub, IOptions<RoamingOptions> options, ILogger<LocalConnections> logger)
{
    /// <summary>Connections of one push that the producer writes to itself; more go through the thread pool.</summary>
    private const int InlineFanOut = 16;

    private readonly int _capacity = options.Value.ConnectionOutboxLength;

    // A user's outboxes are an array replaced on every change, so delivery reads it without a lock.
    private readonly ConcurrentDictionary<string, ConnectionOutbox[]> _byUser = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConnectionOutbox> _byConnection = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>
    /// Registers an admitted connection. <paramref name="close"/> must close it so that clients reconnect (SignalR's
    /// <see cref="HubCallerContext.Abort"/> sends no Close message, which clients treat as a lost connection); with
    /// <paramref name="held"/> its pushes wait for <see cref="ConnectionOutbox.Release"/>.
    /// </summary>
    public ConnectionOutbox Add(string userId, string connectionId, Action close, bool held = false)
    {
        var outbox = new ConnectionOutbox(
            connectionId,
            userId,
            _capacity,
            (item, cancellation) => SendAsync(connectionId, userId, item, cancellation),
            full =>
            {
                Log.OutboxOverflowed(logger, full.UserId, full.ConnectionId, full.Capacity);
                RoamingMetrics.ConnectionClosedForOverflow();
                close();
            },
            held);
        lock (_gate)
        {
            _byConnection[connectionId] = outbox;
            _byUser[userId] = _byUser.TryGetValue(userId, out var others) ? [.. others, outbox] : [outbox];
        }

        RoamingMetrics.ConnectionOpened();

        return outbox;
    }

    /// <summary>The outbox of a connection open on this node, or null.</summary>
    public ConnectionOutbox? Find(string connectionId) => _byConnection.GetValueOrDefault(connectionId);

    /// <summary>The outboxes of a user's connections on this node.</summary>
    public IReadOnlyList<ConnectionOutbox> ConnectionsOf(string userId) => _byUser.GetValueOrDefault(userId) ?? [];

    /// <summary>Forgets a connection that has closed and stops its outbox.</summary>
    public void Remove(string connectionId)
    {
        lock (_gate)
        {
            if (!_byConnection.TryRemove(connectionId, out var outbox))
            {
                return;
            }

            var rest = _byUser.TryGetValue(outbox.UserId, out var all) ? all.Where(o => o != outbox).ToArray() : [];
            if (rest.Length == 0)
            {
                _byUser.TryRemove(outbox.UserId, out _);
            }
            else
            {
                _byUser[outbox.UserId] = rest;
            }

            outbox.Stop();
        }

        RoamingMetrics.ConnectionClosed();
    }

    /// <summary>
    /// Queues <paramref name="push"/> for this node's connections of its targets, except the connection that made the
    /// change. Never waits: a full outbox closes its own connection and leaves the others alone.
    /// </summary>
    public void Enqueue(Push push)
    {
        // A push for a few connections (a pin, a single-chat message) is written by this thread, which saves a hop per
        // connection. One for many (a group message) is queued here, in order, and written by thread-pool items of
        // InlineFanOut connections each, so neither this thread (the delivery bus's one reader, or a sender awaiting
        // its answer) nor one core does all of its writing, and a 500-member group wakes 32 threads, not 500.
        var sendInline = LocalConnectionsAtMost(push, InlineFanOut);
        List<ConnectionOutbox>? chunk = null;
        foreach (var target in push.Targets)
        {
            if (!_byUser.TryGetValue(target.UserId, out var outboxes))
            {
                continue;
            }

            var item = new OutboxItem(push.Method, push.PayloadFor(target), target.Seq, target.Epoch);
            foreach (var outbox in outboxes)
            {
                if (string.Equals(outbox.ConnectionId, push.ExceptConnectionId, StringComparison.Ordinal))
                {
                    continue;
                }

                if (sendInline)
                {
                    outbox.TryEnqueue(item);
                }
                else if (outbox.TryQueue(item))
                {
                    (chunk ??= new List<ConnectionOutbox>(InlineFanOut)).Add(outbox);
                    if (chunk.Count == InlineFanOut)
                    {
                        SendFromThreadPool(chunk);
                        chunk = null;
                    }
                }
            }
        }

        if (chunk is not null)
        {
            SendFromThreadPool(chunk);
        }
    }

    /// <summary>Sends what each outbox of <paramref name="chunk"/> has queued, from one thread-pool item.</summary>
    private static void SendFromThreadPool(List<ConnectionOutbox> chunk) =>
        ThreadPool.UnsafeQueueUserWorkItem(
            static outboxes =>
            {
                foreach (var outbox in outboxes)
                {
                    outbox.SendPending();
                }
            },
            chunk,
            preferLocal: false);

    /// <summary>Whether <paramref name="push"/> goes to at most <paramref name="limit"/> connections on this node.</summary>
    private bool LocalConnectionsAtMost(Push push, int limit)
    {
        var count = 0;
        foreach (var target in push.Targets)
        {
            if (_byUser.TryGetValue(target.UserId, out var outboxes) && (count += outboxes.Length) > limit)
            {
                return false;
            }
        }

        return true;
    }

    private async ValueTask SendAsync(string connectionId, string userId, OutboxItem item, CancellationToken cancellation)
    {
        try
        {
            // Without a backplane the hub context writes straight to the local connection, awaiting its transport.
            await hub.Clients.Client(connectionId).SendAsync(item.Method, item.Payload, cancellation).ConfigureAwait(false);
            RoamingMetrics.PushSent();
        }
        catch (Exception ex)
        {
            // A push that fails is not retried: the entry is in the user's stream. After Stop it is expected.
            var stopped = cancellation.IsCancellationRequested;
            RoamingMetrics.PushDropped(stopped ? "closed" : "failed");
            if (!stopped)
            {
                Log.PushFailed(logger, item.Method, userId, ex);
            }
        }
    }
}
