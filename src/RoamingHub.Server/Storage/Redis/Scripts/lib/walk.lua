-- Shared by the history scripts.

-- walk(messages, hidden, older, bound, floor, want, cap): walks a chat's messages from a bound, skipping what the
-- user cannot see (one ZMSCORE per batch), until want visible ones are found or cap entries were scanned. older walks
-- down from bound (exclusive) to floor (exclusive); otherwise up from bound. Returns the visible ones as a flat list
-- of id, position pairs, how many entries it scanned, and the last id it scanned.
local function walk(messages, hidden, older, bound, floor, want, cap)
  local found, scanned, last_scanned = {}, 0, nil
  while #found / 2 < want and scanned < cap do
    local batch
    if older then
      batch = redis.call('ZREVRANGEBYSCORE', messages, bound, '(' .. floor, 'WITHSCORES', 'LIMIT', 0, want - #found / 2)
    else
      batch = redis.call('ZRANGEBYSCORE', messages, bound, '+inf', 'WITHSCORES', 'LIMIT', 0, want - #found / 2)
    end
    if #batch == 0 then break end
    local ids = {}
    for i = 1, #batch, 2 do ids[#ids + 1] = batch[i] end
    local hidden_at = redis.call('ZMSCORE', hidden, unpack(ids))
    for i = 1, #batch, 2 do
      scanned = scanned + 1
      last_scanned = batch[i]
      bound = '(' .. batch[i + 1]
      if not hidden_at[(i + 1) / 2] then
        found[#found + 1] = batch[i]
        found[#found + 1] = batch[i + 1]
      end
    end
  end
  return found, scanned, last_scanned
end

-- floor_of(watermarks, user, retention): the position at or below which the user sees nothing: their watermark or the
-- retention floor, whichever is higher, as a string (%.0f keeps a position above 2^31 exact).
local function floor_of(watermarks, user, retention)
  local mark = tonumber(redis.call('HGET', watermarks, user) or '0')
  return string.format('%.0f', math.max(mark, tonumber(retention)))
end
