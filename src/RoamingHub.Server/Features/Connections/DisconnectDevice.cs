using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>Releases a closed connection's record, its place in the caller's connection count.</summary>
internal sealed record DisconnectDevice(string UserId, string RecordId) : ICommand;

internal sealed class DisconnectDeviceHandler(IPresenceStore presence, ConnectionRegistry registry, NodePresence node) : ICommandHandler<DisconnectDevice>
{
    public async ValueTask<Unit> Handle(DisconnectDevice command, CancellationToken cancellationToken)
    {
        // Forgotten here first: should the store not answer, the next round leaves the record behind, and it stops counting.
        registry.Remove(command.RecordId);
        await presence.RemoveConnectionAsync(command.UserId, new ConnectionRecord(node.NodeId, command.RecordId), cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
