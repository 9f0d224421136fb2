-- Housekeeping (retention trims, key lifetimes) runs on the first write of each minute of a chat's or
-- conversation's positions rather than on every write: it is idempotent, reads apply the retention floor anyway,
-- and lifetimes are a day longer than retention, so a minute's delay changes nothing a client sees.
-- A position is ms * 1024, so a minute is 61440000 positions.
local function new_minute(old_position, new_position)
  return math.floor(tonumber(old_position or 0) / 61440000) ~= math.floor(tonumber(new_position) / 61440000)
end
