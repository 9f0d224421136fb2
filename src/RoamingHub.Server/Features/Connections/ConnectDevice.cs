using Mediator;
using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Connections;

/// <summary>
/// Admits a new connection of the caller, up to <c>MaxConnectionsPerUser</c> across all nodes, and answers with the
/// groups whose messages the connection must receive.
/// </summary>
internal sealed record ConnectDevice(Caller Caller) : ICommand<IReadOnlyList<string>>;

internal sealed class ConnectDeviceHandler(IRoamingStore store, ConnectionRegistry registry, TimeProvider time, IOptions<RoamingOptions> options)
    : ICommandHandler<ConnectDevice, IReadOnlyList<string>>
{
    public async ValueTask<IReadOnlyList<string>> Handle(ConnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, _, connectionId) = command.Caller;
        ArgumentNullException.ThrowIfNull(connectionId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!await store.TryAddConnectionAsync(userId, connectionId, now, cancellationToken).ConfigureAwait(false))
        {
            throw new RoamingException(
                ErrorCodes.ConnectionLimitExceeded,
                $"User {userId} already has {options.Value.MaxConnectionsPerUser} connections open; close one first.");
        }

        registry.Add(userId, connectionId);
        try
        {
            return await store.GetGroupsOfUserAsync(userId, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The hub never learns this connection was admitted: give its place back here. If the store cannot take
            // it now, the entry ages out, since this node no longer refreshes it.
            registry.Remove(connectionId);
            try
            {
                await store.RemoveConnectionAsync(userId, connectionId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
            }

            throw;
        }
    }
}

/// <summary>Releases a closed connection's place in the caller's connection count.</summary>
internal sealed record DisconnectDevice(Caller Caller) : ICommand;

internal sealed class DisconnectDeviceHandler(IRoamingStore store, ConnectionRegistry registry) : ICommandHandler<DisconnectDevice>
{
    public async ValueTask<Unit> Handle(DisconnectDevice command, CancellationToken cancellationToken)
    {
        var (userId, _, connectionId) = command.Caller;
        ArgumentNullException.ThrowIfNull(connectionId);
        registry.Remove(connectionId);
        await store.RemoveConnectionAsync(userId, connectionId, cancellationToken).ConfigureAwait(false);
        return Unit.Value;
    }
}
