namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Every Lua script of the Redis store. A script runs atomically: a state change and the event that reports it are
/// written together or not at all. Each script's keys share one hash tag, named in its comment. Numbers that can
/// exceed 2^31 travel as strings and are formatted with <c>%.0f</c>, since Lua's default formatting would round them.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Shared by the scripts that add a conversation to a user's list: drops the least recently active unpinned
    /// conversations beyond <c>max</c>. Reads at most pins + excess members, so it stays cheap.
    /// </summary>
    private const string EvictFunction = """
        local function evict(convs, pins, created, last, max)
          local excess = redis.call('ZCARD', convs) - max
          if excess <= 0 then return end
          local candidates = redis.call('ZRANGE', convs, 0, redis.call('ZCARD', pins) + excess - 1)
          for _, member in ipairs(candidates) do
            if excess <= 0 then break end
            if not redis.call('ZSCORE', pins, member) then
              redis.call('ZREM', convs, member)
              redis.call('HDEL', created, member)
              redis.call('HDEL', last, member)
              excess = excess - 1
            end
          end
        end
        """;

    /// <summary>
    /// Stores a message in its conversation (tag <c>{s:a|b}</c>).
    /// KEYS: messages, bodies, clock, clientMsgId key, watermarks, sender's hidden ids, recipient's hidden ids.
    /// ARGV: msgId, now ms, message blob, clientMsgId window ms ('' for none), retention floor position, key lifetime ms.
    /// Returns {1, msgId, position, blob} for a repeated clientMsgId (nothing written), else {0, msgId, position}.
    /// Retention costs no scan: each write trims at most 100 expired messages, the one-way deletions that referred to
    /// expired messages, and renews the keys' lifetime, so an idle conversation's keys expire by themselves.
    /// </summary>
    public const string StoreMessage = """
        if ARGV[4] ~= '' then
          local first = redis.call('GET', KEYS[4])
          if first then
            local position = redis.call('ZSCORE', KEYS[1], first)
            local blob = redis.call('HGET', KEYS[2], first)
            if position and blob then return {1, first, position, blob} end
          end
        end
        local last = tonumber(redis.call('GET', KEYS[3]) or '0')
        local position = string.format('%.0f', math.max(tonumber(ARGV[2]) * 1024, last + 1))
        redis.call('SET', KEYS[3], position, 'PX', ARGV[6])
        redis.call('ZADD', KEYS[1], position, ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[4]) end
        local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[5], 'LIMIT', 0, 100)
        if #expired > 0 then
          redis.call('ZREM', KEYS[1], unpack(expired))
          redis.call('HDEL', KEYS[2], unpack(expired))
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', ARGV[5])
        redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', ARGV[5])
        local marks = redis.call('HGETALL', KEYS[5])
        for i = 1, #marks, 2 do
          if tonumber(marks[i + 1]) <= tonumber(ARGV[5]) then redis.call('HDEL', KEYS[5], marks[i]) end
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        redis.call('PEXPIRE', KEYS[2], ARGV[6])
        return {0, ARGV[1], position}
        """;

    /// <summary>
    /// Shared by the history scripts: walks a conversation's messages from a bound, skipping what the user cannot
    /// see, until <c>want</c> visible ones are found or <c>cap</c> entries were scanned. <c>older</c> walks down from
    /// <c>bound</c> (exclusive) to <c>floor</c> (exclusive); otherwise up from <c>bound</c>.
    /// Returns the visible {id, position} pairs flattened, the number scanned and the last id scanned.
    /// </summary>
    private const string WalkFunction = """
        local function walk(messages, hidden, older, bound, floor, want, cap)
          local found, scanned, last = {}, 0, nil
          while #found / 2 < want and scanned < cap do
            local batch
            if older then
              batch = redis.call('ZREVRANGEBYSCORE', messages, bound, '(' .. floor, 'WITHSCORES', 'LIMIT', 0, want - #found / 2)
            else
              batch = redis.call('ZRANGEBYSCORE', messages, bound, '+inf', 'WITHSCORES', 'LIMIT', 0, want - #found / 2)
            end
            if #batch == 0 then break end
            for i = 1, #batch, 2 do
              scanned = scanned + 1
              last = batch[i]
              bound = '(' .. batch[i + 1]
              if not redis.call('ZSCORE', hidden, batch[i]) then
                found[#found + 1] = batch[i]
                found[#found + 1] = batch[i + 1]
              end
            end
          end
          return found, scanned, last
        end

        local function floor_of(watermarks, user, retention)
          local mark = tonumber(redis.call('HGET', watermarks, user) or '0')
          return string.format('%.0f', math.max(mark, tonumber(retention)))
        end
        """;

    /// <summary>
    /// A page of history as one user sees it (tag <c>{s:a|b}</c>). KEYS: messages, bodies, watermarks, the user's
    /// hidden ids. ARGV: user, 'up' or 'down', cursor msgId ('' for the start), page size, retention floor position,
    /// scan cap. Returns {-1} for an unknown cursor, else {0, next cursor or false, then per message: id, position,
    /// blob}. When the scan cap stops a walk through many hidden messages, the cursor is the last id scanned, so the
    /// client goes on from there.
    /// </summary>
    public const string FetchHistory = WalkFunction + """

        local older = ARGV[2] == 'up'
        local floor = floor_of(KEYS[3], ARGV[1], ARGV[5])
        local bound
        if ARGV[3] ~= '' then
          local position = redis.call('ZSCORE', KEYS[1], ARGV[3])
          if not position then return {-1} end
          if older then
            bound = '(' .. position
          else
            bound = '(' .. string.format('%.0f', math.max(tonumber(position), tonumber(floor)))
          end
        else
          bound = older and '+inf' or '(' .. floor
        end
        local size = tonumber(ARGV[4])
        local found, scanned, last = walk(KEYS[1], KEYS[4], older, bound, floor, size + 1, tonumber(ARGV[6]))
        local count = math.min(#found / 2, size)
        local result = {0, false}
        if #found / 2 > size then
          result[2] = found[2 * size - 1]
        elseif scanned >= tonumber(ARGV[6]) and last then
          result[2] = last
        end
        for i = 1, count do
          local id = found[2 * i - 1]
          result[#result + 1] = id
          result[#result + 1] = found[2 * i]
          result[#result + 1] = redis.call('HGET', KEYS[2], id)
        end
        return result
        """;

    /// <summary>
    /// Hides messages from one user (tag <c>{s:a|b}</c>). KEYS: messages, bodies, watermarks, the user's hidden ids,
    /// clock. ARGV: user, mode ('before': raise the watermark to ARGV[3]; 'all': raise it to the newest message;
    /// 'ids': hide ARGV[7..]), watermark position, retention floor position, key lifetime ms, scan cap, ids…
    /// The watermark never moves backwards; ids below it, unknown or already hidden are ignored.
    /// Returns {watermark, moved (0/1), newest visible position or false, its blob or false, n, n ids, n positions}.
    /// </summary>
    public const string HideMessages = WalkFunction + """

        local mark = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
        local retention = tonumber(ARGV[4])
        local moved = 0
        local ids, positions = {}, {}
        if ARGV[2] == 'ids' then
          for i = 7, #ARGV do
            local position = redis.call('ZSCORE', KEYS[1], ARGV[i])
            if position and tonumber(position) > mark and tonumber(position) > retention
               and redis.call('ZADD', KEYS[4], 'NX', position, ARGV[i]) == 1 then
              ids[#ids + 1] = ARGV[i]
              positions[#positions + 1] = position
            end
          end
          if #ids > 0 then redis.call('PEXPIRE', KEYS[4], ARGV[5]) end
        else
          local target = tonumber(ARGV[3])
          if ARGV[2] == 'all' then target = tonumber(redis.call('GET', KEYS[5]) or '0') end
          if target > mark then
            mark = target
            moved = 1
            redis.call('HSET', KEYS[3], ARGV[1], string.format('%.0f', mark))
            redis.call('PEXPIRE', KEYS[3], ARGV[5])
            redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', string.format('%.0f', mark))
          end
        end
        local floor = floor_of(KEYS[3], ARGV[1], ARGV[4])
        local found = walk(KEYS[1], KEYS[4], true, '+inf', floor, 1, tonumber(ARGV[6]))
        local result = {string.format('%.0f', mark), moved, false, false, #ids}
        if #found > 0 then
          result[3] = found[2]
          result[4] = redis.call('HGET', KEYS[2], found[1])
        end
        for _, id in ipairs(ids) do result[#result + 1] = id end
        for _, position in ipairs(positions) do result[#result + 1] = position end
        return result
        """;

    /// <summary>
    /// The user's side of a one-way deletion (tag <c>{u:user}</c>): repoints the conversation's last message when the
    /// deletion hid it, and appends the event. KEYS: last messages, seq, events. ARGV: member, watermark position,
    /// replacement (<c>position|blob</c>, '' to clear), event log length, event blob ('' for none), hidden positions…
    /// A newer message stored meanwhile is left in place: only a hidden last message is replaced.
    /// Returns the event's seq, or 0.
    /// </summary>
    public const string ApplyHide = """
        local current = redis.call('HGET', KEYS[1], ARGV[1])
        if current then
          local position = tonumber(string.sub(current, 1, string.find(current, '|', 1, true) - 1))
          local hidden = position <= tonumber(ARGV[2])
          for i = 6, #ARGV do
            if tonumber(ARGV[i]) == position then hidden = true end
          end
          if hidden then
            if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
          end
        end
        if ARGV[5] == '' then return 0 end
        local seq = redis.call('INCR', KEYS[2])
        redis.call('ZADD', KEYS[3], seq, seq .. '|' .. ARGV[5])
        redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[4]) + 1))
        return seq
        """;

    /// <summary>
    /// Removes a conversation from a user's list and pins and appends the event, atomically (tag <c>{u:user}</c>).
    /// KEYS: conversations, pins, created, last messages, seq, events. ARGV: member, event log length, event blob.
    /// Returns -1 when the user does not have the conversation, else the event's seq.
    /// </summary>
    public const string DeleteConversation = """
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        redis.call('HDEL', KEYS[4], ARGV[1])
        local seq = redis.call('INCR', KEYS[5])
        redis.call('ZADD', KEYS[6], seq, seq .. '|' .. ARGV[3])
        redis.call('ZREMRANGEBYRANK', KEYS[6], 0, -(tonumber(ARGV[2]) + 1))
        return seq
        """;

    /// <summary>
    /// Moves a conversation to the top of one participant's list after a message (tag <c>{u:user}</c>).
    /// KEYS: conversations, pins, created, last messages. ARGV: member, timestamp ms, position, <c>position|blob</c>,
    /// max conversations. Activity and last message only move forward, so replays and races are harmless.
    /// </summary>
    public const string TouchConversation = EvictFunction + """

        local added = redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
        redis.call('HSETNX', KEYS[3], ARGV[1], ARGV[2])
        local current = redis.call('HGET', KEYS[4], ARGV[1])
        if not current or tonumber(string.sub(current, 1, string.find(current, '|', 1, true) - 1)) < tonumber(ARGV[3]) then
          redis.call('HSET', KEYS[4], ARGV[1], ARGV[4])
        end
        if added == 1 then evict(KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[5])) end
        return added
        """;

    /// <summary>
    /// Pins or unpins, and appends the event with the next seq, atomically (tag <c>{u:user}</c>).
    /// KEYS: conversations, pins, created, last messages, seq, events. ARGV: member, '1' to pin or '0' to unpin,
    /// now ms, max pins, max conversations, event log length, event blob (without seq).
    /// Returns {0, pinTime or false} when nothing changed, {-1} at the pin limit, {1, seq} after a change.
    /// </summary>
    public const string SetPinned = EvictFunction + """

        local current = redis.call('ZSCORE', KEYS[2], ARGV[1])
        if ARGV[2] == '1' then
          if current then return {0, current} end
          if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return {-1} end
          redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
          if redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[1]) == 1 then
            redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
            evict(KEYS[1], KEYS[2], KEYS[3], KEYS[4], tonumber(ARGV[5]))
          end
        else
          if not current then return {0, false} end
          redis.call('ZREM', KEYS[2], ARGV[1])
        end
        local seq = redis.call('INCR', KEYS[5])
        redis.call('ZADD', KEYS[6], seq, seq .. '|' .. ARGV[7])
        redis.call('ZREMRANGEBYRANK', KEYS[6], 0, -(tonumber(ARGV[6]) + 1))
        return {1, seq}
        """;

    /// <summary>
    /// One page of a conversation list (tag <c>{u:user}</c>). KEYS: source list (conversations or pins),
    /// conversations, pins, created, last messages, snapshot. ARGV: 'start' or 'continue', offset, page size,
    /// snapshot lifetime ms, retention floor position. A first page copies the source into the snapshot when more pages follow; later pages read
    /// the snapshot and renew it. Members that left the list since are skipped.
    /// Returns {-1} for an unknown snapshot, else {hasMore, then per entry: member, activity, created, pinTime or false,
    /// last message or false}.
    /// </summary>
    public const string FetchConversations = """
        local source = KEYS[1]
        if ARGV[1] == 'continue' then
          if redis.call('PEXPIRE', KEYS[6], ARGV[4]) == 0 then return {-1} end
          source = KEYS[6]
        end
        local offset = tonumber(ARGV[2])
        local size = tonumber(ARGV[3])
        local members = redis.call('ZREVRANGE', source, offset, offset + size - 1)
        local more = redis.call('ZCARD', source) > offset + size
        if more and ARGV[1] == 'start' then
          redis.call('COPY', KEYS[1], KEYS[6], 'REPLACE')
          redis.call('PEXPIRE', KEYS[6], ARGV[4])
        end
        local result = {more and 1 or 0}
        for _, member in ipairs(members) do
          local activity = redis.call('ZSCORE', KEYS[2], member)
          if activity then
            result[#result + 1] = member
            result[#result + 1] = activity
            result[#result + 1] = redis.call('HGET', KEYS[4], member) or activity
            result[#result + 1] = redis.call('ZSCORE', KEYS[3], member) or false
            local last = redis.call('HGET', KEYS[5], member)
            if last and tonumber(string.sub(last, 1, string.find(last, '|', 1, true) - 1)) <= tonumber(ARGV[5]) then
              last = false
            end
            result[#result + 1] = last or false
          end
        end
        return result
        """;

    /// <summary>
    /// Reads the event log after a seq (tag <c>{u:user}</c>). KEYS: seq, events. ARGV: since seq, limit.
    /// Returns {lastSeq, resyncRequired (0/1), events…}. Resync is required when the log no longer holds seq
    /// since+1, or when since is ahead of the log (the store lost data): never a silent gap.
    /// </summary>
    public const string ReadEvents = """
        local last = tonumber(redis.call('GET', KEYS[1]) or '0')
        local since = tonumber(ARGV[1])
        if since == last then return {last, 0} end
        if since > last then return {last, 1} end
        local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        if #oldest == 0 or tonumber(oldest[2]) > since + 1 then return {last, 1} end
        local result = {last, 0}
        local events = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. since, '+inf', 'LIMIT', 0, tonumber(ARGV[2]))
        for _, e in ipairs(events) do result[#result + 1] = e end
        return result
        """;

    /// <summary>
    /// Counts a connection against its user's limit (tag <c>{u:user}</c>). KEYS: connections. ARGV: connection id,
    /// now ms, stale-before ms, max, key lifetime ms. Connections a crashed node never removed age out.
    /// Returns 1 when admitted, 0 at the limit.
    /// </summary>
    public const string AddConnection = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
        if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
          return 0
        end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return 1
        """;
}
