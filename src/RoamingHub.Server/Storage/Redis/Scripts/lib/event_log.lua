-- append_event(blob, length): appends an event to the user's log with the next seq and trims the log to its newest
-- length entries. Returns the seq.
--!include lib/user_keys.lua
local function append_event(blob, length)
  local seq = redis.call('INCR', seq_key)
  redis.call('ZADD', events, seq, seq .. '|' .. blob)
  redis.call('ZREMRANGEBYRANK', events, 0, -(tonumber(length) + 1))
  return seq
end
