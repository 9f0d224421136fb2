using System.Globalization;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// A conversation's settings as the <c>settings</c> hash holds them (<c>Scripts/lib/conversation_settings.lua</c>):
/// <c>mute|unread|marks</c>, mute being empty (not muted), <c>0</c> (no end) or the end in Unix ms, unread <c>1</c>
/// or empty, marks ascending and comma-separated.
/// </summary>
internal static class RedisSettingsFormat
{
    /// <summary>The settings a stored value holds; null for none (no value, or one that sets nothing).</summary>
    public static ConversationSettings? Read(string? value)
    {
        var parts = value?.Split('|');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        var muted = long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mute);
        var settings = new ConversationSettings(muted, muted && mute > 0 ? mute : null, parts[1] == "1", ReadMarks(parts[2]));
        return settings == ConversationSettings.None ? null : settings;
    }

    /// <summary>A mute as a script takes it: empty unmutes, <c>0</c> mutes without an end, else the end.</summary>
    public static string Mute(bool muted, long? mutedUntil) =>
        !muted ? "" : (mutedUntil ?? 0).ToString(CultureInfo.InvariantCulture);

    /// <summary>Marks as bits from their stored form; a part that is no mark is left out.</summary>
    public static int ReadMarks(string value) =>
        MarkBits.Of(value.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var mark) ? mark : -1)
            .Where(mark => mark is >= 0 and <= Contracts.ConversationMarks.MaxMark));

    /// <summary>Marks as bits in their stored form, ascending.</summary>
    public static string WriteMarks(int bits) => string.Join(',', MarkBits.ToList(bits).Select(mark => mark.ToString(CultureInfo.InvariantCulture)));
}
