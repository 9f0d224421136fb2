-- The eighteen keys every user-side script receives, in the order RedisKeys.UserScriptKeys passes them; all share
-- the user's hash tag {u:user}. A script that includes this file names the keys by these names.
--!include lib/check.lua
local convs = KEYS[1]           -- ZSET member -> last activity: the conversation list
local pins = KEYS[2]            -- ZSET member -> pin time
local created = KEYS[3]         -- HASH member -> creation time
local last = KEYS[4]            -- HASH member -> position|blob of the newest message the user can see
local seq_key = KEYS[5]         -- STRING the newest event seq
local events = KEYS[6]          -- ZSET seq -> seq|event: the event log
local unread_counts = KEYS[7]   -- HASH member -> unread count
local unread_summary = KEYS[8]  -- HASH total, conversations: the badge
local reads = KEYS[9]           -- HASH member -> read position
local peer_reads = KEYS[10]     -- HASH member -> time the other participant read up to
local exts = KEYS[11]           -- HASH member -> the user's ext
local groups = KEYS[12]         -- SET the user's groups
local unread = KEYS[13]         -- ZSET msgId -> position: the unread set of the conversation the script works on
local extra = KEYS[14]          -- a script-specific key of the user (the list snapshot of fetch_conversations.lua)
local stream = KEYS[15]         -- HASH epoch, run_id, base: the stream's epoch and what it was last written under
local stream_msgs = KEYS[16]    -- ZSET msgId -> seq: the message entries of the stream, so a retry appends none
local settings = KEYS[17]       -- HASH member -> mute|unread|marks (lib/conversation_settings.lua)
local marked = KEYS[18]         -- ZSET mark|member -> mark * 2^42 + activity: the conversations by mark
-- A script that receives more keys than these eighteen names them from the nineteenth on (tail(KEYS, 19)).

-- Each key's type and name as a check names it (lib/check.lua); extra has none, its type being the script's own.
-- Built on the first check that needs it: most calls check no key by TYPE, and every call pays for what it builds.
local user_key_types = nil
local function user_key_type(key)
  user_key_types = user_key_types or {
    [convs] = {'zset', 'convs'}, [pins] = {'zset', 'pins'}, [created] = {'hash', 'created'}, [last] = {'hash', 'last'},
    [seq_key] = {'string', 'seq'}, [events] = {'zset', 'events'}, [unread_counts] = {'hash', 'unread-counts'},
    [unread_summary] = {'hash', 'unread-summary'}, [reads] = {'hash', 'read'}, [peer_reads] = {'hash', 'peer-read'},
    [exts] = {'hash', 'ext'}, [groups] = {'set', 'groups'}, [unread] = {'zset', 'unread'}, [stream] = {'hash', 'stream'},
    [stream_msgs] = {'zset', 'stream-msgs'}, [settings] = {'hash', 'settings'}, [marked] = {'zset', 'marked'},
  }
  return user_key_types[key]
end

-- The keys whose type this call has checked already, by a TYPE or by a read of their own type: a read raises
-- WRONGTYPE on a key of another type, so a key read without error needs no TYPE after it.
local type_known = {}

-- read_user_keys(...): the keys named were just read by a command of their type.
local function read_user_keys(...)
  for _, key in ipairs({...}) do type_known[key] = true end
end

-- expect_user_keys(...): before a script's first write, the keys named that it will write without reading them
-- first hold their type or nothing (one TYPE each, none for a key this call read or checked already).
local function expect_user_keys(...)
  for _, key in ipairs({...}) do
    if not type_known[key] then
      local expected = user_key_type(key)
      expect_type(key, expected[1], expected[2])
      type_known[key] = true
    end
  end
end
