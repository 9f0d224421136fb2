using MessagePack;

namespace RoamingHub.Contracts;

/// <summary>Body of <c>POST /api/groups</c>.</summary>
[MessagePackObject]
public sealed record CreateGroupRequest
{
    [Key("groupId")] public string? GroupId { get; init; }
    /// <summary>The owner; always a member.</summary>
    [Key("owner")] public string? Owner { get; init; }
    [Key("members")] public IReadOnlyList<string>? Members { get; init; }
}

/// <summary>Body of <c>POST /api/groups/{groupId}/members</c>.</summary>
[MessagePackObject]
public sealed record AddGroupMembersRequest
{
    [Key("members")] public IReadOnlyList<string>? Members { get; init; }
}

/// <summary>A group, as the admin API returns it.</summary>
[MessagePackObject]
public sealed record Group
{
    [Key("groupId")] public string GroupId { get; init; } = "";
    [Key("owner")] public string Owner { get; init; } = "";
    /// <summary>Members in ordinal order, the owner included.</summary>
    [Key("members")] public IReadOnlyList<string> Members { get; init; } = [];
    [Key("createdTime")] public long CreatedTime { get; init; }
}
