namespace RoamingHub.Server.Features.Conversations;

/// <summary>What a mark may be: an integer from 0 to <see cref="ConversationMarks.MaxMark"/>.</summary>
internal static class ConversationMarkRules
{
    /// <summary>Throws <c>INVALID_ARGUMENT</c> naming <paramref name="field"/> for a mark out of range.</summary>
    public static void Require(int mark, string field)
    {
        if (mark is < 0 or > ConversationMarks.MaxMark)
        {
            throw RoamingException.InvalidArgument($"{field}: marks are integers from 0 to {ConversationMarks.MaxMark}; {mark} is not one.");
        }
    }

    /// <summary>The marks of <paramref name="marks"/> as bits (none for null), each checked by <see cref="Require"/>.</summary>
    public static int Bits(IReadOnlyList<int>? marks, string field)
    {
        foreach (var mark in marks ?? [])
        {
            Require(mark, field);
        }

        return Storage.MarkBits.Of(marks ?? []);
    }
}
