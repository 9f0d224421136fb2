-- The first element of every script's reply. ScriptStatus.cs mirrors this table name by name and value by value
-- (a test compares the two), so a code means the same in every script and no script answers with a bare number.
local status = {
  ok = 0,                  -- done as asked
  unchanged = 1,           -- nothing to do: the state already was what the call asked for
  duplicate = 2,           -- a repeated clientMsgId: nothing written, the first message answered
  in_progress = 3,         -- an idempotent operation another caller claimed and has not finished
  completed = 4,           -- an idempotent operation that finished before: its outcome answered
  resync_required = 5,     -- the event log no longer holds what was asked for
  not_found = 6,           -- the user does not have the conversation, or the group does not exist
  not_a_member = 7,        -- the caller is not a member of the group
  not_in_group = 8,        -- the user to remove is not a member of the group
  owner_cannot_leave = 9,  -- the group's owner cannot be removed from it
  already_exists = 10,     -- the group exists already
  too_many_members = 11,   -- the group would hold more than its member limit
  pin_limit = 12,          -- the user has pinned as many conversations as allowed
  unknown_cursor = 13,     -- a history cursor that is not a message of the chat
  walk_expired = 14,       -- a list walk whose snapshot expired or was replaced
  connection_limit = 15,   -- the user holds as many connections as allowed
  deleting = 16,           -- the group was deleted and some of its former members are still to be told
  keys_changed = 17,       -- the keys the caller named no longer cover what the script must touch: it names the rest
  not_sender = 18,         -- a message the caller did not send (a recall)
  recall_window_passed = 19, -- a message older than the recall window
  stale = 20,              -- what the caller read before the call has changed: the reply says what it is now, to call again with
  mute_ended = 21,         -- a mute asked to end at a time that has passed already
}
