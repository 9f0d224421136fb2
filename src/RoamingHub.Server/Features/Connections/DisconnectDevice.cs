using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>Releases a closed connection's place in the caller's connection count.</summary>
internal sealed record DisconnectDevice(Caller Caller) : ICommand;

internal sealed class DisconnectDeviceHandler(IPresenceStore presence, ConnectionRegistry registry) : ICommandHandler<DisconnectDevice>
{
    public async ValueTask<Unit> Handle(DisconnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, _, connectionId) = command.Caller;
        ArgumentNullException.ThrowIfNull(connectionId);
        registry.Remove(connectionId);
        await presence.RemoveConnectionAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
