namespace RoamingHub.Server.Domain;

/// <summary>Page-size rule shared by every paged call: 1–50, 20 when omitted.</summary>
internal static class Paging
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 50;

    public static int PageSize(int? requested) => requested switch
    {
        null => DefaultPageSize,
        >= 1 and <= MaxPageSize => requested.Value,
        _ => throw RoamingException.InvalidArgument($"pageSize must be between 1 and {MaxPageSize}."),
    };
}
