using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Groups;

/// <summary>The pushes that tell users they left a group, shared by deletion and by a create that finished one.</summary>
internal static class GroupPushes
{
    /// <summary>One <c>REMOVED_FROM_GROUP</c> push per user whose side changed; those who had nothing left get none.</summary>
    public static IReadOnlyList<Push> Removed(IEnumerable<GroupLeave> left) =>
        [.. left.Where(l => l.Event is not null).Select(l => Push.Event(l.Event!, new PushTarget(l.UserId, l.Event!.Seq, l.Event.Epoch)))];
}
