-- Mutes or unmutes a conversation and appends the event, atomically.
-- Keys: the eighteen of lib/user_keys.lua, under the user's tag {u:user}; unread is this conversation's set.
-- Guarantees: a mute as it holds at now_ms is compared, so a timed mute that has ended is no mute: a call that
-- asks for the state there is (muted with the same end, or not muted) writes nothing and appends no event. Muting
-- refuses a group the user is not in, without writing; muting a conversation the user does not have creates it (and
-- evicts beyond the list's limit), as pinning does. A mute whose end is not after now_ms is refused without writing,
-- after a kept reply is answered: a retry whose first attempt ran gets that reply, however late it comes.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua). With a clientOpId its reply is the
-- operation's outcome, stored in the same step; a repeat gets that reply and changes nothing (lib/operation.lua).
-- Returns {not_a_member}, {mute_ended}, {unchanged, the mute there is ('' or as lib/conversation_settings.lua stores it)}, or
-- {ok, {seq, epoch}, the event as logged}.
--!include lib/status.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/conversation_settings.lua
--!include lib/event_log.lua
--!include lib/operation.lua
local member = ARGV[1]
local mute = ARGV[2]                -- '' unmutes; '0' mutes without an end; else the Unix ms the mute ends at
local now_ms = decimal_arg(ARGV[3], 'now_ms')
local max_conversations = number_arg(ARGV[4], 'max_conversations')
local bounds = bounds_arg(ARGV[5], 'bounds')  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[6]          -- the event without its seq
local group_id = ARGV[7]            -- '' for a single chat
local operation_window_ms = window_arg(ARGV[8], 'operation_window_ms') -- '' without a clientOpId
if mute ~= '' then decimal_arg(mute, 'mute') end

local stored = stored_reply(operation_window_ms)
if stored then return stored end
if mute ~= '' and mute ~= '0' and tonumber(mute) <= tonumber(now_ms) then return {status.mute_ended} end
local listed = redis.call('ZSCORE', convs, member)
local current = parse_settings(listed and redis.call('HGET', settings, member))
read_user_keys(convs)
if listed then read_user_keys(settings) end
local now_muted = listed and muted_at(current, now_ms)
if mute == '' then
  if not now_muted then return answer({status.unchanged, ''}, operation_window_ms) end
else
  if now_muted and current.mute == mute then return answer({status.unchanged, current.mute}, operation_window_ms) end
  if group_id ~= '' and redis.call('SISMEMBER', groups, group_id) == 0 then return answer({status.not_a_member}, operation_window_ms) end
end

-- Everything that can fail is checked before the first write (lib/check.lua).
check_stream(nil, bounds, true)
expect_user_keys(settings)
if not listed then
  check_eviction(max_conversations, member)
  expect_user_keys(created)
end

-- The append is the first write, so its INCR checks the seq (lib/event_log.lua).
local entry = append_event(event_blob, bounds)
if not listed then list_activity(member, now_ms) end
current.mute = mute
write_settings(member, current, bounds)
if not listed then evict(max_conversations) end
keep_alive(bounds)
return answer({status.ok, entry, event_blob}, operation_window_ms)
