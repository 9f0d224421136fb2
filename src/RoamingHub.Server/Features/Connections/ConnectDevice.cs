using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Admits a new connection of the user as the record <paramref name="RecordId"/> of this node, up to
/// <c>MaxConnectionsPerUser</c> across all nodes; throws <c>CONNECTION_LIMIT_EXCEEDED</c> at the limit.
/// </summary>
internal sealed record ConnectDevice(string UserId, string RecordId) : ICommand;

internal sealed class ConnectDeviceHandler(
    IPresenceStore presence, ConnectionRegistry registry, NodePresence node, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<ConnectDevice>
{
    public async ValueTask<Unit> Handle(ConnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, recordId) = command;
        // Held before it is written, so a round of rewriting that starts meanwhile keeps it (see PresenceRewriter).
        registry.Add(userId, recordId);
        bool admitted;
        try
        {
            admitted = await presence.TryAddConnectionAsync(userId, new ConnectionRecord(node.NodeId, recordId), time.UnixNow(), node.LiveNodes, cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            registry.Remove(recordId);
            throw;
        }

        if (!admitted)
        {
            registry.Remove(recordId);
            throw ConnectionLimitExceeded(userId, options.Value.MaxConnectionsPerUser);
        }

        return Unit.Value;
    }

    public static RoamingException ConnectionLimitExceeded(string userId, int limit) => new(
        ErrorCodes.ConnectionLimitExceeded, $"User {userId} already has {limit} connections open; close one first.");
}

/// <summary>Whether the caller could open one more connection now; <c>CONNECTION_LIMIT_EXCEEDED</c> when not. Writes nothing.</summary>
internal sealed record CheckConnectionRoom(string UserId) : IQuery<Unit>;

internal sealed class CheckConnectionRoomHandler(IPresenceStore presence, NodePresence node, TimeProvider time, IOptions<RoamingOptions> options)
    : IQueryHandler<CheckConnectionRoom, Unit>
{
    public async ValueTask<Unit> Handle(CheckConnectionRoom query, CancellationToken cancellationToken) =>
        await presence.HasRoomAsync(query.UserId, time.UnixNow(), node.LiveNodes, cancellationToken).ConfigureAwait(false)
            ? Unit.Value
            : throw ConnectDeviceHandler.ConnectionLimitExceeded(query.UserId, options.Value.MaxConnectionsPerUser);
}
