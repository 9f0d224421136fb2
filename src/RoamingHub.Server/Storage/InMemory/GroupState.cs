using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>A group's owner, creation time and members, kept with the group's chat.</summary>
internal sealed record GroupState(string Owner, long Created, HashSet<string> Members)
{
    public Group ToWire(string groupId) =>
        new() { GroupId = groupId, Owner = Owner, CreatedTime = Created, Members = [.. Members.Order(StringComparer.Ordinal)] };
}
