using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>A group with its members (admin API); <c>NOT_FOUND</c> when there is none.</summary>
internal sealed record GetGroup(string? GroupId) : IQuery<Group>;

internal sealed class GetGroupHandler(IGroupStore groups) : IQueryHandler<GetGroup, Group>
{
    public async ValueTask<Group> Handle(GetGroup query, CancellationToken cancellationToken)
    {
        var groupId = Ids.Canonicalize(query.GroupId, "groupId");
        return await groups.GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false)
            ?? throw StoreErrors.GroupNotFound(groupId);
    }
}
