using RoamingHub.Contracts;
using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage;

/// <summary>
/// The refusals both stores raise, in the same words, so the in-memory and Redis stores cannot drift apart in what
/// a client sees.
/// </summary>
internal static class StoreErrors
{
    public static RoamingException ConversationNotFound() => RoamingException.NotFound("The conversation is not in this user's list.");

    public static RoamingException NotAMember(string groupId) => new(ErrorCodes.Forbidden, $"Only members of group {groupId} can do this.");

    public static RoamingException MuteEnded() =>
        RoamingException.InvalidArgument("mutedUntil must be in the future (Unix ms); leave it out for a mute without an end.");

    public static RoamingException GroupNotFound(string groupId) => RoamingException.NotFound($"Group {groupId} does not exist.");

    public static RoamingException NotInGroup(string userId, string groupId) => RoamingException.NotFound($"User {userId} is not a member of group {groupId}.");

    public static RoamingException OwnerCannotLeave() => RoamingException.InvalidArgument("The owner cannot be removed; delete the group instead.");

    public static RoamingException GroupExists(string groupId) => new(ErrorCodes.AlreadyExists, $"Group {groupId} already exists.");

    public static RoamingException TooManyMembers(int max) => RoamingException.InvalidArgument($"A group holds at most {max} members.");

    public static RoamingException PinLimit(int max) => new(ErrorCodes.PinLimitExceeded, $"At most {max} conversations can be pinned.");

    public static RoamingException MessageNotFound() => RoamingException.NotFound("The message is not in this conversation's history.");

    public static RoamingException NotTheSender() => new(ErrorCodes.Forbidden, "Only the sender of a message can recall it.");

    public static RoamingException RecallWindowPassed(TimeSpan window) =>
        new(ErrorCodes.Forbidden, $"A message can be recalled only within {window} of sending it.");

    /// <summary>Other recalls in the same conversation kept changing what a participant should see instead; nothing is lost.</summary>
    public static RoamingException RecallKeptChanging() =>
        new(ErrorCodes.Unavailable, "Other recalls in this conversation kept changing its last message while this one was applied; repeat the call.");

    /// <summary>Recalls in the same conversation kept recalling what a deletion would show instead; what it hid stays hidden.</summary>
    public static RoamingException HidingKeptChanging() =>
        new(ErrorCodes.Unavailable, "Recalls in this conversation kept changing its last message while this deletion was applied; repeat the call.");

    public static RoamingException UnknownHistoryCursor() => RoamingException.InvalidArgument("cursor is not a message of this conversation.");

    /// <summary>
    /// Whether <paramref name="exception"/> says the store did not answer (unreachable, timed out, still loading) rather
    /// than refused: the caller may try again, and must not report it as a refusal.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception is StackExchange.Redis.RedisException or TimeoutException;
}
