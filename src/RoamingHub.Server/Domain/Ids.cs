namespace RoamingHub.Server.Domain;

/// <summary>
/// Canonical form of user, conversation and device ids: lower case, 1–64 characters of <c>a-z 0-9 _ - . @</c>.
/// Ids are canonicalised at the boundary so that <c>Alice</c> and <c>alice</c> are the same user everywhere.
/// </summary>
internal static class Ids
{
    public const int MaxLength = 64;

    /// <summary>Returns the canonical id, or throws <c>INVALID_ARGUMENT</c> naming <paramref name="field"/>.</summary>
    public static string Canonicalize(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw RoamingException.InvalidArgument($"{field} is required.");
        }

        if (value.Length > MaxLength)
        {
            throw RoamingException.InvalidArgument($"{field} must be at most {MaxLength} characters.");
        }

        var canonical = value.ToLowerInvariant();
        foreach (var c in canonical)
        {
            if (!IsAllowed(c))
            {
                throw RoamingException.InvalidArgument($"{field} may hold only a-z, 0-9, '_', '-', '.' and '@'.");
            }
        }

        return canonical;
    }

    /// <summary>
    /// Checks a client-chosen token (<c>clientOpId</c>, <c>clientMsgId</c>): 1 to <paramref name="maxLength"/>
    /// printable ASCII characters, so it can be part of a key as it is. Throws <c>INVALID_ARGUMENT</c> naming
    /// <paramref name="field"/>.
    /// </summary>
    public static string RequireToken(string value, string field, int maxLength) =>
        value.Length is 0 || value.Length > maxLength || !value.All(c => c is > ' ' and <= '~')
            ? throw RoamingException.InvalidArgument($"{field} must be 1 to {maxLength} printable ASCII characters.")
            : value;

    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' or '.' or '@';
}
