using System.Threading.Channels;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// This node as the other nodes see it: its id, the nodes its last heartbeat found alive, and when its last complete
/// round of rewriting its connection records began (see <c>IPresenceStore</c>).
/// </summary>
internal sealed class NodePresence
{
    private readonly Channel<bool> _roundRequests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private volatile IReadOnlyList<LiveNode>? _liveNodes;

    // A node that starts holds no connection: every record of its id written before now is not its own.
    private long _rewrittenSince;

    public NodePresence(TimeProvider time) => _rewrittenSince = time.UnixNow();

    /// <summary>Random per process, so a restarted node never claims its previous run's records.</summary>
    public string NodeId { get; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>
    /// The nodes alive at the last heartbeat, this one always among them; null before the first heartbeat answered,
    /// when the node cannot tell which other nodes' records still count.
    /// </summary>
    public IReadOnlyList<LiveNode>? LiveNodes => _liveNodes;

    /// <summary>When this node's last complete round began (Unix ms).</summary>
    public long RewrittenSince => Interlocked.Read(ref _rewrittenSince);

    public void UpdateLiveNodes(IReadOnlyList<LiveNode> liveNodes)
    {
        var self = new LiveNode(NodeId, RewrittenSince);
        _liveNodes = [self, .. liveNodes.Where(n => !string.Equals(n.NodeId, NodeId, StringComparison.Ordinal))];
    }

    public void CompleteRound(long startedAt) => Interlocked.Exchange(ref _rewrittenSince, startedAt);

    /// <summary>Asks for a round now rather than at the next interval (the store lost or went back on its data).</summary>
    public void RequestRound() => _roundRequests.Writer.TryWrite(true);

    /// <summary>Waits until a round is asked for or <paramref name="interval"/> has passed; true when asked for.</summary>
    public async Task<bool> WaitForRoundAsync(TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(interval, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            return await _roundRequests.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
