using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Admits a new connection of the user as the record <paramref name="RecordId"/> of this node, up to
/// <c>MaxConnectionsPerUser</c> across all nodes, and answers where the user's stream stood when it was admitted (as
/// <c>GetSyncState</c> would); throws <c>CONNECTION_LIMIT_EXCEEDED</c> at the limit.
/// </summary>
internal sealed record ConnectDevice(string UserId, string RecordId) : ICommand<SyncState>;

internal sealed class ConnectDeviceHandler(
    IPresenceStore presence, ConnectionRegistry registry, NodePresence node, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<ConnectDevice, SyncState>
{
    public async ValueTask<SyncState> Handle(ConnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, recordId) = command;
        var record = new ConnectionRecord(node.NodeId, recordId);
        var liveNodes = node.LiveNodes ?? throw NotHeardYet();
        var now = time.UnixNow();
        registry.AddPending(userId, recordId, now);
        SyncState? admitted;
        try
        {
            admitted = await presence.TryAddConnectionAsync(userId, record, now, liveNodes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreErrors.IsUnavailable(ex))
        {
            registry.Remove(recordId);
            // A call that timed out may still run once the store answers again: take its record back behind it (the
            // same connection keeps the order), so a stall leaves no record that counts for nobody.
            _ = ForgetQuietlyAsync(userId, record);
            throw;
        }
        catch
        {
            registry.Remove(recordId);
            throw;
        }

        if (admitted is null)
        {
            registry.Remove(recordId);
            throw ConnectionLimitExceeded(userId, options.Value.MaxConnectionsPerUser);
        }

        registry.Confirm(recordId);
        return admitted;
    }

    public static RoamingException ConnectionLimitExceeded(string userId, int limit) => new(
        ErrorCodes.ConnectionLimitExceeded, $"User {userId} already has {limit} connections open; close one first.");

    /// <summary>
    /// Before this node's first heartbeat it does not know which nodes are alive, and would forget their records: the
    /// connection waits, as for a store that does not answer.
    /// </summary>
    public static TimeoutException NotHeardYet() => new("This node has not heard from the other nodes yet.");

    private async Task ForgetQuietlyAsync(string userId, ConnectionRecord record)
    {
        try
        {
            await presence.RemoveConnectionAsync(userId, record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (StoreErrors.IsUnavailable(ex))
        {
            // Not sent or not answered: the node does not hold the record, so its next round leaves it behind.
        }
    }
}
