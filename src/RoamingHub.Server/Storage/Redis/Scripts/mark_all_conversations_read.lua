-- Marks every conversation that has unread messages read, and appends the event.
-- Keys: the sixteen of lib/user_keys.lua, then the unread sets of the conversations named in the arguments, all
-- under the user's tag {u:user}.
-- Guarantees: read points only move forward; conversations that left the list since are skipped; the event is
-- always appended.
-- When it writes, it keeps the user's keys alive (lib/user_lifetime.lua).
-- Returns {ok, {seq, epoch}}.
--!include lib/status.lua
--!include lib/tail.lua
--!include lib/user_keys.lua
--!include lib/conversation_list.lua
--!include lib/event_log.lua
local unread_sets = tail(KEYS, 17)  -- one per member, in the same order
local read_position = ARGV[1]
local bounds = ARGV[2]  -- length:oldest:now:lifetime, see lib/user_lifetime.lua
local event_blob = ARGV[3]
local members = tail(ARGV, 4)

for i, member in ipairs(members) do
  if redis.call('ZSCORE', convs, member) then
    if tonumber(read_position) > tonumber(redis.call('HGET', reads, member) or '0')
       and redis.call('HSET', reads, member, read_position) == 1 then
      may_have_created(reads)
    end
    redis.call('ZREMRANGEBYSCORE', unread_sets[i], '-inf', read_position)
    set_unread(member, redis.call('ZCARD', unread_sets[i]))
  end
end
local entry = append_event(event_blob, bounds)
keep_alive(bounds)
return {status.ok, entry}
