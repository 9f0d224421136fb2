
namespace RoamingHub.Server.Features.Groups;

/// <summary>Argument rules shared by the group features.</summary>
internal static class GroupRules
{
    public static IReadOnlyList<string> Users(IReadOnlyList<string> users, bool allowEmpty) =>
        users.Count == 0 && !allowEmpty
            ? throw RoamingException.InvalidArgument("members must name at least one user.")
            : [.. users.Select(u => Ids.Canonicalize(u, "members")).Distinct(StringComparer.Ordinal)];
}
