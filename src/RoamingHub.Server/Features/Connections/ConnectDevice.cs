using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Admits a new connection of the caller, up to <c>MaxConnectionsPerUser</c> across all nodes, and answers with the
/// groups whose messages the connection must receive.
/// </summary>
internal sealed record ConnectDevice(Caller Caller) : ICommand<IReadOnlyList<string>>;

internal sealed class ConnectDeviceHandler(IPresenceStore presence, IGroupStore groups, ConnectionRegistry registry, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<ConnectDevice, IReadOnlyList<string>>
{
    public async ValueTask<IReadOnlyList<string>> Handle(ConnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, _, connectionId) = command.Caller;
        ArgumentNullException.ThrowIfNull(connectionId);
        var now = time.UnixNow();
        if (!await presence.TryAddConnectionAsync(userId, connectionId, now, cancellationToken).ConfigureAwait(false))
        {
            throw new RoamingException(
                ErrorCodes.ConnectionLimitExceeded,
                $"User {userId} already has {options.Value.MaxConnectionsPerUser} connections open; close one first.");
        }

        registry.Add(userId, connectionId);
        try
        {
            return await groups.GetGroupsOfUserAsync(userId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The hub never learns this connection was admitted: give its place back here. If the store cannot take
            // it now, the entry ages out, since this node no longer refreshes it.
            registry.Remove(connectionId);
            try
            {
                await presence.RemoveConnectionAsync(userId, connectionId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
            }

            throw;
        }
    }
}
