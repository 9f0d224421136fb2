using Mediator;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hubs;
using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>Deletes a group and its history (admin API); every former member's devices get <c>REMOVED_FROM_GROUP</c>.</summary>
internal sealed record DeleteGroup(string? GroupId) : ICommand;

internal sealed class DeleteGroupHandler(IRoamingStore store, IDeviceNotifier notifier, TimeProvider time) : ICommandHandler<DeleteGroup>
{
    public async ValueTask<Mediator.Unit> Handle(DeleteGroup command, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(command.GroupId, "groupId");
        var members = await store.DeleteGroupAsync(groupId, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(members.Select(async m =>
        {
            await notifier.SetGroupMembershipAsync(m.UserId, groupId, member: false).ConfigureAwait(false);
            if (m.Event is not null)
            {
                await notifier.SendEventAsync(m.UserId, m.Event, exceptConnectionId: null).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
        return Mediator.Unit.Value;
    }
}
