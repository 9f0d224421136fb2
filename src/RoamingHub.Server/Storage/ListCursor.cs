using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// Position in a walk through a user's conversation or pin list. A walk pages through a snapshot of the list taken
/// when its first page was read, so each conversation comes exactly once even while new activity reorders the live
/// list. The cursor names the snapshot and an offset in it; on the wire it is opaque (base64url).
/// Snapshots live in the user's own key space, so a cursor from another user's walk finds nothing. A walk through the
/// conversations of a mark names the mark, so its cursor serves no walk of another mark.
/// </summary>
internal sealed record ListCursor(ConversationList List, string SnapshotId, int Offset, int Mark = 0)
{
    private const string Version = "1";

    public static string NewSnapshotId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(
            string.Create(CultureInfo.InvariantCulture, $"{Version}.{ListName(List, Mark)}.{SnapshotId}.{Offset}")));

    /// <summary>How a cursor names its list: <c>a</c>, <c>p</c>, or <c>m</c> and the mark.</summary>
    private static string ListName(ConversationList list, int mark) => list switch
    {
        ConversationList.Pinned => "p",
        ConversationList.Marked => string.Create(CultureInfo.InvariantCulture, $"m{mark}"),
        _ => "a",
    };

    /// <summary>
    /// Reads a cursor given by a client for <paramref name="list"/> (and, for <see cref="ConversationList.Marked"/>,
    /// <paramref name="mark"/>); null or empty means the first page.
    /// </summary>
    public static ListCursor? Parse(string? value, ConversationList list, int mark = 0)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.ASCII.GetString(Base64Url.DecodeFromChars(value));
        }
        catch (FormatException)
        {
            throw Invalid();
        }

        var parts = text.Split('.');
        var expectedList = ListName(list, mark);
        if (parts.Length != 4 || parts[0] != Version || parts[1] != expectedList
            || parts[2].Length != 16 || !parts[2].All(char.IsAsciiHexDigitLower)
            || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || offset <= 0)
        {
            throw Invalid();
        }

        return new ListCursor(list, parts[2], offset, mark);
    }

    public static RoamingException Expired() =>
        RoamingException.InvalidArgument("cursor is unknown or has expired; start again from the first page.");

    private static RoamingException Invalid() => RoamingException.InvalidArgument("cursor is not a cursor this server issued.");
}
