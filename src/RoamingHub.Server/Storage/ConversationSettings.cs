using RoamingHub.Contracts;

namespace RoamingHub.Server.Storage;

/// <summary>
/// What a user set on one conversation beyond its pin and ext: a mute (<see cref="Muted"/>, ending by itself at
/// <see cref="MutedUntil"/> when that is set), the unread mark, and marks as bits (bit n for mark n), so the value
/// compares by value.
/// </summary>
internal sealed record ConversationSettings(bool Muted = false, long? MutedUntil = null, bool MarkedUnread = false, int Marks = 0)
{
    public static ConversationSettings None { get; } = new();

    /// <summary>Whether the mute holds at <paramref name="now"/>: a timed mute ends by itself.</summary>
    public bool MutedAt(long now) => Muted && (MutedUntil is null || MutedUntil > now);

    /// <summary>These settings as written at <paramref name="now"/>: a mute that has ended is dropped, as Redis drops it.</summary>
    public ConversationSettings WrittenAt(long now) => Muted && !MutedAt(now) ? this with { Muted = false, MutedUntil = null } : this;

    /// <summary>The marks, ascending.</summary>
    public IReadOnlyList<int> MarkList => MarkBits.ToList(Marks);
}

/// <summary>Marks as bits of an int: bit n is mark n.</summary>
internal static class MarkBits
{
    public static IReadOnlyList<int> ToList(int bits) =>
        [.. Enumerable.Range(0, ConversationMarks.MaxMark + 1).Where(mark => (bits & (1 << mark)) != 0)];

    public static int Of(IEnumerable<int> marks) => marks.Aggregate(0, (bits, mark) => bits | (1 << mark));
}
