-- Marks every conversation that has unread messages read, and appends the event.
-- Keys: the sixteen of lib/user_keys.lua, then the unread sets of the conversations named in the arguments, all
-- under the user's tag {u:user}.
-- Guarantees: read points only move forward; conversations that left the list since are skipped; the event is
-- always appended.
-- Returns {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local unread_sets = tail(KEYS, 17)  -- one per member, in the same order
local read_position = ARGV[1]
local log_bounds = ARGV[2]  -- length:oldest:now, see lib/event_log.lua
local event_blob = ARGV[3]
local members = tail(ARGV, 4)

for i, member in ipairs(members) do
  if redis.call('ZSCORE', convs, member) then
    if tonumber(read_position) > tonumber(redis.call('HGET', reads, member) or '0') then
      redis.call('HSET', reads, member, read_position)
    end
    redis.call('ZREMRANGEBYSCORE', unread_sets[i], '-inf', read_position)
    set_unread(member, redis.call('ZCARD', unread_sets[i]))
  end
end
return {status.ok, append_event(event_blob, log_bounds)}
