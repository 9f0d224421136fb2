using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>Whether the user could open one more connection now; <c>CONNECTION_LIMIT_EXCEEDED</c> when not. Writes nothing.</summary>
internal sealed record CheckConnectionRoom(string UserId) : IQuery<Unit>;

internal sealed class CheckConnectionRoomHandler(IPresenceStore presence, NodePresence node, TimeProvider time, IOptions<RoamingOptions> options)
    : IQueryHandler<CheckConnectionRoom, Unit>
{
    public async ValueTask<Unit> Handle(CheckConnectionRoom query, CancellationToken cancellationToken) =>
        await presence.HasRoomAsync(query.UserId, time.UnixNow(), node.LiveNodes ?? throw ConnectDeviceHandler.NotHeardYet(), cancellationToken).ConfigureAwait(false)
            ? Unit.Value
            : throw ConnectDeviceHandler.ConnectionLimitExceeded(query.UserId, options.Value.MaxConnectionsPerUser);
}
