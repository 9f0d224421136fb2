namespace RoamingHub.Server.Storage.Redis.Scripts;

/// <summary>
/// The status every script answers first, the table of <c>lib/status.lua</c> name by name and value by value (a test
/// compares the two). What a status means for a call is read in the script's header.
/// </summary>
internal enum ScriptStatus
{
    /// <summary>Done as asked.</summary>
    Ok = 0,

    /// <summary>Nothing to do: the state already was what the call asked for.</summary>
    Unchanged = 1,

    /// <summary>A repeated clientMsgId: nothing written, the first message answered.</summary>
    Duplicate = 2,

    /// <summary>An idempotent operation another caller claimed and has not finished.</summary>
    InProgress = 3,

    /// <summary>An idempotent operation that finished before: its outcome answered.</summary>
    Completed = 4,

    /// <summary>The event log no longer holds what was asked for.</summary>
    ResyncRequired = 5,

    /// <summary>The user does not have the conversation, or the group does not exist.</summary>
    NotFound = 6,

    /// <summary>The caller is not a member of the group.</summary>
    NotAMember = 7,

    /// <summary>The user to remove is not a member of the group.</summary>
    NotInGroup = 8,

    /// <summary>The group's owner cannot be removed from it.</summary>
    OwnerCannotLeave = 9,

    /// <summary>The group exists already.</summary>
    AlreadyExists = 10,

    /// <summary>The group would hold more than its member limit.</summary>
    TooManyMembers = 11,

    /// <summary>The user has pinned as many conversations as allowed.</summary>
    PinLimit = 12,

    /// <summary>A history cursor that is not a message of the chat.</summary>
    UnknownCursor = 13,

    /// <summary>A list walk whose snapshot expired or was replaced.</summary>
    WalkExpired = 14,

    /// <summary>The user holds as many connections as allowed.</summary>
    ConnectionLimit = 15,

    /// <summary>The group was deleted and some of its former members are still to be told.</summary>
    Deleting = 16,

    /// <summary>The keys the caller named no longer cover what the script must touch: it names the rest, and the caller calls again with them.</summary>
    KeysChanged = 17,

    /// <summary>A message the caller did not send (a recall).</summary>
    NotSender = 18,

    /// <summary>A message older than the recall window.</summary>
    RecallWindowPassed = 19,

    /// <summary>What the caller read before the call has changed: the reply says what it is now, to call again with.</summary>
    Stale = 20,

    /// <summary>A mute asked to end at a time that has passed already.</summary>
    MuteEnded = 21,
}
