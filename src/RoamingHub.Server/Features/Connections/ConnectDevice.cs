using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>Admits a new connection of the caller, up to <c>MaxConnectionsPerUser</c> across all nodes.</summary>
internal sealed record ConnectDevice(Caller Caller) : ICommand;

internal sealed class ConnectDeviceHandler(IPresenceStore presence, ConnectionRegistry registry, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<ConnectDevice>
{
    public async ValueTask<Unit> Handle(ConnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, _, connectionId) = command.Caller;
        ArgumentNullException.ThrowIfNull(connectionId);
        if (!await presence.TryAddConnectionAsync(userId, connectionId, time.UnixNow(), cancellationToken).ConfigureAwait(false))
        {
            throw new RoamingException(
                ErrorCodes.ConnectionLimitExceeded,
                $"User {userId} already has {options.Value.MaxConnectionsPerUser} connections open; close one first.");
        }

        registry.Add(userId, connectionId);
        return Unit.Value;
    }
}
