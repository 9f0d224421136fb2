-- How long a user's keys live (keys of lib/user_keys.lua, tag {u:user}): the user lifetime after the user's last
-- activity, a write to their keys or one of their own reads, then they expire, all at once. There is no user
-- registry, so this is what makes an id that is never used again cost nothing.
-- All of them share one expiry time (Redis ms), kept in stream's 'until' field, so none outlives the others: a stream
-- never outlives its seq, a list never its unread counts. Renewing them is a PEXPIREAT per key, so it runs at most
-- once a minute of the caller's clock, or every quarter lifetime if that is shorter (stream's 'alive' field holds when
-- it last ran); a key a script creates in
-- between gets the shared expiry at once (may_have_created). Left alone: groups, a mirror of the groups' member lists
-- that the admin API writes and that lives as long as those; the unread sets, which live as long as their chat's
-- messages (touch_conversation.lua); extra, the script's own (a list snapshot lives as long as its walk).
-- bounds, as the wrappers pass it: 'length:oldest:now:lifetime': the most stream entries kept, the time of the oldest
-- kept, now and the user lifetime, Unix ms.
--!include lib/user_keys.lua

local lifetime_keys = {
  convs, pins, created, last, seq_key, events, unread_counts, unread_summary, reads, peer_reads, exts, stream, stream_msgs,
  settings, marked,
}
local new_keys = {}

local function parse_bounds(bounds)
  local length, oldest, now, lifetime = string.match(bounds, '^(%d+):(%d+):(%d+):(%d+)$')
  return tonumber(length), tonumber(oldest), now, tonumber(lifetime)
end

-- bounds_arg(value, name): the bounds argument, checked where the script names its inputs (lib/check.lua).
local function bounds_arg(value, name)
  if not (value and string.match(value, '^%d+:%d+:%d+:%d+$')) then refuse('ERR argument ' .. name .. ' is not length:oldest:now:lifetime') end
  return value
end

-- stream_fields(): the stream hash's epoch, run_id, base, prev, alive and until, read once per call (one HMGET
-- serves lib/event_log.lua and keep_alive). Called before a script's first write, it is the check keep_alive needs:
-- a stream of another type raises WRONGTYPE, and alive and until must be numbers.
local stream_read = nil
local function stream_fields()
  if stream_read then return stream_read end
  local values = redis.call('HMGET', stream, 'epoch', 'run_id', 'base', 'prev', 'alive', 'until')
  stream_read = {
    epoch = values[1], run_id = values[2], base = values[3], prev = values[4],
    alive = stored_number(values[5], 'stream alive'), expiry = values[6],
  }
  stored_number(values[6], 'stream until')
  read_user_keys(stream)
  return stream_read
end

-- may_have_created(key): a write just added a member or field to key, so the key may be new, without an expiry.
local function may_have_created(key)
  new_keys[#new_keys + 1] = key
end

-- check_keep_alive(): before a script's first write, when it will call keep_alive.
local function check_keep_alive()
  stream_fields()
end

-- renewal_due(bounds): whether keep_alive(bounds) will renew every key rather than only the new ones (the first call
-- of a renewal interval). lib/event_log.lua trims the stream by age on the same calls.
local function renewal_due(bounds)
  local _, _, now, lifetime = parse_bounds(bounds)
  local state = stream_fields()
  return not (state.alive and state.expiry and math.abs(tonumber(now) - state.alive) < math.min(60000, lifetime / 4))
end

-- keep_alive(bounds): after a script's writes, or a user's own read. On the first call of a renewal interval it renews every
-- key of the user; otherwise it gives the keys created by this call the expiry the others have. A user with no
-- stream has no keys (every change appends to it), so a read of an unused id creates nothing. Writes nothing that
-- can fail once check_keep_alive passed.
local function keep_alive(bounds)
  local _, _, now, lifetime = parse_bounds(bounds)
  local state = stream_fields()
  if not renewal_due(bounds) then
    for _, key in ipairs(new_keys) do redis.call('PEXPIREAT', key, state.expiry) end
    return
  end
  if redis.call('EXISTS', stream) == 0 then
    for _, key in ipairs(new_keys) do redis.call('PEXPIRE', key, lifetime) end
    return
  end
  local time = redis.call('TIME')
  local expiry = string.format('%.0f', tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) + lifetime)
  redis.call('HSET', stream, 'alive', now, 'until', expiry)
  for _, key in ipairs(lifetime_keys) do redis.call('PEXPIREAT', key, expiry) end
end
