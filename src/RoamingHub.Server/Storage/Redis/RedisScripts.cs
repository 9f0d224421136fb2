namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Every Lua script of the Redis store. A script runs atomically: a state change and the event that reports it are
/// written together or not at all. Each script's keys share one hash tag, named in its comment: user-side scripts
/// run under <c>{u:user}</c> and receive <see cref="RedisKeys.UserScriptKeys"/>; chat-side scripts run under the
/// chat's tag (<c>{s:a|b}</c> or <c>{g:group}</c>). Numbers that can exceed 2^31 travel as strings and are
/// formatted with <c>%.0f</c>, since Lua's default formatting would round them.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Names the user-side keys in the order <see cref="RedisKeys.UserScriptKeys"/> passes them, and the helpers that
    /// keep the unread counts and the event log consistent.
    /// </summary>
    private const string UserKeys = """
        local convs, pins, created, last, seq_key, events = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
        local unread_counts, unread_summary, reads, peer_reads, exts, groups = KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11], KEYS[12]
        local unread, extra = KEYS[13], KEYS[14]

        local function append_event(blob, length)
          local seq = redis.call('INCR', seq_key)
          redis.call('ZADD', events, seq, seq .. '|' .. blob)
          redis.call('ZREMRANGEBYRANK', events, 0, -(tonumber(length) + 1))
          return seq
        end

        -- Records a conversation's unread count and moves the summary by the difference, so the badge stays exact.
        local function set_unread(member, count)
          local old = tonumber(redis.call('HGET', unread_counts, member) or '0')
          if count == old then return end
          if count == 0 then redis.call('HDEL', unread_counts, member) else redis.call('HSET', unread_counts, member, count) end
          redis.call('HINCRBY', unread_summary, 'total', count - old)
          if old == 0 then
            redis.call('HINCRBY', unread_summary, 'conversations', 1)
          elseif count == 0 then
            redis.call('HINCRBY', unread_summary, 'conversations', -1)
          end
        end

        -- A conversation leaves the list and everything the user kept for it goes; its unread set is reset when it
        -- comes back (its key is not known here).
        local function forget(member)
          redis.call('ZREM', convs, member)
          redis.call('ZREM', pins, member)
          redis.call('HDEL', created, member)
          redis.call('HDEL', last, member)
          redis.call('HDEL', reads, member)
          redis.call('HDEL', peer_reads, member)
          redis.call('HDEL', exts, member)
          set_unread(member, 0)
        end

        -- Drops the least recently active unpinned conversations beyond max; reads at most pins + excess members.
        local function evict(max)
          local excess = redis.call('ZCARD', convs) - max
          if excess <= 0 then return end
          local candidates = redis.call('ZRANGE', convs, 0, redis.call('ZCARD', pins) + excess - 1)
          for _, member in ipairs(candidates) do
            if excess <= 0 then break end
            if not redis.call('ZSCORE', pins, member) then
              forget(member)
              excess = excess - 1
            end
          end
        end

        local function position_of(entry)
          return tonumber(string.sub(entry, 1, string.find(entry, '|', 1, true) - 1))
        end

        """;

    /// <summary>
    /// Shared by the history scripts: walks a chat's messages from a bound, skipping what the user cannot see (one
    /// ZMSCORE per batch), until <c>want</c> visible ones are found or <c>cap</c> entries were scanned. <c>older</c> walks down from
    /// <c>bound</c> (exclusive) to <c>floor</c> (exclusive); otherwise up from <c>bound</c>.
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
            local ids = {}
            for i = 1, #batch, 2 do ids[#ids + 1] = batch[i] end
            local hidden_at = redis.call('ZMSCORE', hidden, unpack(ids))
            for i = 1, #batch, 2 do
              scanned = scanned + 1
              last = batch[i]
              bound = '(' .. batch[i + 1]
              if not hidden_at[(i + 1) / 2] then
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
    /// Housekeeping (retention trims, key lifetimes) runs on the first write of each minute of a chat's or
    /// conversation's positions rather than on every write: it is idempotent, reads apply the retention floor anyway,
    /// and lifetimes are a day longer than retention, so a minute's delay changes nothing a client sees.
    /// </summary>
    private const string Housekeeping = """
        local function new_minute(old_position, new_position)
          return math.floor(tonumber(old_position or 0) / 61440000) ~= math.floor(tonumber(new_position) / 61440000)
        end

        """;

    // ------------------------------------------------------------------ chat side

    /// <summary>
    /// Stores a message in its chat (tag <c>{s:a|b}</c> or <c>{g:group}</c>).
    /// KEYS: messages, bodies, clock, clientMsgId key, sender's hidden ids, recipient's hidden ids,
    /// group members. ARGV: msgId, now ms, message blob, clientMsgId window ms ('' for none), retention floor
    /// position, key lifetime ms, sender, '1' for a group chat.
    /// Returns {-2} when the sender is not a member of the group; else {duplicate (0/1), msgId, position, blob of the
    /// first message or false, group members…}. A repeated clientMsgId writes nothing.
    /// Retention costs no scan: the first write of each minute (by the chat's clock) trims at most 100 expired
    /// messages and the hidden ids that referred to them, and renews the keys' lifetime, so an idle chat's keys expire
    /// by themselves; reads hide what is past retention in between. Watermarks below the retention floor are harmless
    /// (the floor hides more) and expire with the chat.
    /// </summary>
    public const string StoreMessage = Housekeeping + """
        local members = {}
        if ARGV[8] == '1' then
          if redis.call('SISMEMBER', KEYS[7], ARGV[7]) == 0 then return {-2} end
          members = redis.call('SMEMBERS', KEYS[7])
        end
        local function answer(duplicate, id, position, blob)
          local result = {duplicate, id, position, blob}
          for _, member in ipairs(members) do result[#result + 1] = member end
          return result
        end
        if ARGV[4] ~= '' then
          local first = redis.call('GET', KEYS[4])
          if first then
            local position = redis.call('ZSCORE', KEYS[1], first)
            local blob = redis.call('HGET', KEYS[2], first)
            if position and blob then return answer(1, first, position, blob) end
          end
        end
        local last = tonumber(redis.call('GET', KEYS[3]) or '0')
        local position = string.format('%.0f', math.max(tonumber(ARGV[2]) * 1024, last + 1))
        redis.call('SET', KEYS[3], position, 'PX', ARGV[6])
        redis.call('ZADD', KEYS[1], position, ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        if ARGV[4] ~= '' then redis.call('SET', KEYS[4], ARGV[1], 'PX', ARGV[4]) end
        if new_minute(last, position) then
          local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[5], 'LIMIT', 0, 100)
          if #expired > 0 then
            redis.call('ZREM', KEYS[1], unpack(expired))
            redis.call('HDEL', KEYS[2], unpack(expired))
          end
          redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[5])
          redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', ARGV[5])
          redis.call('PEXPIRE', KEYS[1], ARGV[6])
          redis.call('PEXPIRE', KEYS[2], ARGV[6])
        end
        return answer(0, ARGV[1], position, false)
        """;

    /// <summary>
    /// A page of history as one user sees it (tag of the chat). KEYS: messages, bodies, watermarks, the user's hidden
    /// ids, group members. ARGV: user, 'up' or 'down', cursor msgId ('' for the start), page size, retention floor
    /// position, scan cap, '1' for a group chat. Returns {-2} for a non-member of the group, {-1} for an unknown
    /// cursor, else {0, next cursor or false, then per message: position, blob (the blob holds the id)}. When the scan cap stops a walk
    /// through many hidden messages, the cursor is the last id scanned, so the client goes on from there.
    /// </summary>
    public const string FetchHistory = WalkFunction + """
        if ARGV[7] == '1' and redis.call('SISMEMBER', KEYS[5], ARGV[1]) == 0 then return {-2} end
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
        if count == 0 then return result end
        local ids = {}
        for i = 1, count do ids[i] = found[2 * i - 1] end
        local blobs = redis.call('HMGET', KEYS[2], unpack(ids))
        for i = 1, count do
          result[#result + 1] = found[2 * i]
          result[#result + 1] = blobs[i]
        end
        return result
        """;

    /// <summary>
    /// Hides messages from one user (tag of the chat). KEYS: messages, bodies, watermarks, the user's hidden ids,
    /// clock, group members. ARGV: user, mode ('before': raise the watermark to ARGV[3]; 'all': raise it to the newest
    /// message; 'ids': hide ARGV[8..]), watermark position, retention floor position, key lifetime ms, scan cap,
    /// '1' for a group chat, ids… The watermark never moves backwards; ids below it, unknown or already hidden are
    /// ignored. Returns {-2} for a non-member of the group, else {watermark, moved (0/1), newest visible position or
    /// false, its blob or false, n, n ids, n positions}.
    /// </summary>
    public const string HideMessages = WalkFunction + """
        if ARGV[7] == '1' and redis.call('SISMEMBER', KEYS[6], ARGV[1]) == 0 then return {-2} end
        local mark = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
        local retention = tonumber(ARGV[4])
        local moved = 0
        local ids, positions = {}, {}
        if ARGV[2] == 'ids' then
          for i = 8, #ARGV do
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
    /// Creates a group (tag <c>{g:group}</c>). KEYS: info, members. ARGV: owner, created ms, max members, members…
    /// Returns -1 when the group exists, -2 beyond max members, 1 when created.
    /// </summary>
    public const string CreateGroup = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
        if #ARGV - 3 > tonumber(ARGV[3]) then return -2 end
        redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'created', ARGV[2])
        for i = 4, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
        return 1
        """;

    /// <summary>
    /// Adds members to a group (tag <c>{g:group}</c>). KEYS: info, members. ARGV: max members, users…
    /// Returns {-1} for an unknown group, {-2} beyond max members, else {1, users newly added…}.
    /// </summary>
    public const string AddGroupMembers = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
        local added = {}
        for i = 2, #ARGV do
          if redis.call('SISMEMBER', KEYS[2], ARGV[i]) == 0 then added[#added + 1] = ARGV[i] end
        end
        if redis.call('SCARD', KEYS[2]) + #added > tonumber(ARGV[1]) then return {-2} end
        local result = {1}
        for _, user in ipairs(added) do
          redis.call('SADD', KEYS[2], user)
          result[#result + 1] = user
        end
        return result
        """;

    /// <summary>
    /// Removes a member (tag <c>{g:group}</c>): they can no longer send to or read the group, and their one-way
    /// deletions there go. KEYS: info, members, watermarks, the user's hidden ids. ARGV: user.
    /// Returns -1 for an unknown group, -3 when the user is not a member, -4 for the owner, 1 when removed.
    /// </summary>
    public const string RemoveGroupMember = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
        if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then return -4 end
        if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return -3 end
        redis.call('HDEL', KEYS[3], ARGV[1])
        redis.call('DEL', KEYS[4])
        return 1
        """;

    /// <summary>
    /// Deletes a group and its history (tag <c>{g:group}</c>). KEYS: info, members, messages, bodies, clock,
    /// watermarks. Returns false for an unknown group, else the members it had. Members' hidden-id sets and
    /// clientMsgId keys expire by themselves.
    /// </summary>
    public const string DeleteGroup = """
        if redis.call('EXISTS', KEYS[1]) == 0 then return false end
        local members = redis.call('SMEMBERS', KEYS[2])
        redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
        return members
        """;

    // ------------------------------------------------------------------ user side

    /// <summary>
    /// Moves a conversation to the top of one participant's list after a message, and counts it unread for
    /// recipients (tag <c>{u:user}</c>). ARGV: member, timestamp ms, position, <c>position|blob</c>, max conversations,
    /// '1' to count it unread, msgId, retention floor position, key lifetime ms. Activity and last message only move
    /// forward and the unread set is keyed by msgId, so a replay counts nothing twice and reordered sends count all.
    /// Unread entries past retention are trimmed by the housekeeping of <see cref="Housekeeping"/>.
    /// </summary>
    public const string TouchConversation = UserKeys + Housekeeping + """
        local added = redis.call('ZADD', convs, 'GT', ARGV[2], ARGV[1])
        if added == 1 then
          redis.call('HSET', created, ARGV[1], ARGV[2])
          redis.call('DEL', unread)
        end
        local current = redis.call('HGET', last, ARGV[1])
        local previous = current and position_of(current) or 0
        if previous < tonumber(ARGV[3]) then redis.call('HSET', last, ARGV[1], ARGV[4]) end
        if ARGV[6] == '1' then
          local counted = 0
          if tonumber(ARGV[3]) > tonumber(redis.call('HGET', reads, ARGV[1]) or '0') then
            counted = redis.call('ZADD', unread, 'NX', ARGV[3], ARGV[7])
          end
          local housekeeping = added == 1 or new_minute(previous, ARGV[3])
          if housekeeping then redis.call('ZREMRANGEBYSCORE', unread, '-inf', ARGV[8]) end
          local count = redis.call('ZCARD', unread)
          -- A read that emptied the set removed it, lifetime and all: the message that starts it again renews it.
          if housekeeping or (counted == 1 and count == 1) then redis.call('PEXPIRE', unread, ARGV[9]) end
          set_unread(ARGV[1], count)
        end
        if added == 1 then evict(tonumber(ARGV[5])) end
        return added
        """;

    /// <summary>
    /// Pins or unpins, and appends the event with the next seq, atomically (tag <c>{u:user}</c>). ARGV: member,
    /// '1' to pin or '0' to unpin, now ms, max pins, max conversations, event log length, event blob (without seq),
    /// group id ('' for a single chat). Returns {0, pin time or false} when nothing changed, {-1} at the pin limit,
    /// {-2} when pinning a group the user is not in, {1, seq} after a change.
    /// </summary>
    public const string SetPinned = UserKeys + """
        local current = redis.call('ZSCORE', pins, ARGV[1])
        if ARGV[2] == '1' then
          if current then return {0, current} end
          if ARGV[8] ~= '' and redis.call('SISMEMBER', groups, ARGV[8]) == 0 then return {-2} end
          if redis.call('ZCARD', pins) >= tonumber(ARGV[4]) then return {-1} end
          redis.call('ZADD', pins, ARGV[3], ARGV[1])
          if redis.call('ZADD', convs, 'NX', ARGV[3], ARGV[1]) == 1 then
            redis.call('HSET', created, ARGV[1], ARGV[3])
            redis.call('DEL', unread)
            evict(tonumber(ARGV[5]))
          end
        else
          if not current then return {0, false} end
          redis.call('ZREM', pins, ARGV[1])
        end
        return {1, append_event(ARGV[7], ARGV[6])}
        """;

    /// <summary>
    /// One page of a conversation list (tag <c>{u:user}</c>); the extra key is the device's walk snapshot. ARGV:
    /// 'start' or 'continue', offset, page size, snapshot lifetime ms, retention floor position, 'pins' to list pins,
    /// walk id. A first page copies the list into the device's snapshot, marked with the walk id, when more pages
    /// follow (one snapshot per device: a new walk replaces the last); later pages read it and renew it. Entries are
    /// read with one multi-key command per field, so a page costs about a dozen commands whatever its size.
    /// Members that left the list since are skipped. Returns {-1} for an unknown or replaced walk, else {hasMore,
    /// then per entry: member, activity, created, pin time or false, last message or false, unread count, peer read
    /// time or false, ext or false}.
    /// </summary>
    public const string FetchConversations = UserKeys + """
        local source = ARGV[6] == 'pins' and pins or convs
        local marker = '#' .. ARGV[7]
        local count
        if ARGV[1] == 'continue' then
          if not redis.call('ZSCORE', extra, marker) then return {-1} end
          redis.call('PEXPIRE', extra, ARGV[4])
          source = extra
          count = redis.call('ZCARD', extra) - 1
        else
          count = redis.call('ZCARD', source)
        end
        local offset = tonumber(ARGV[2])
        local size = tonumber(ARGV[3])
        local more = count > offset + size
        if more and ARGV[1] == 'start' then
          redis.call('COPY', source, extra, 'REPLACE')
          redis.call('ZADD', extra, -1, marker)
          redis.call('PEXPIRE', extra, ARGV[4])
        end
        local members = {}
        for _, member in ipairs(redis.call('ZREVRANGE', source, offset, offset + size - 1)) do
          if string.sub(member, 1, 1) ~= '#' then members[#members + 1] = member end
        end
        local result = {more and 1 or 0}
        if #members == 0 then return result end
        local activity = redis.call('ZMSCORE', convs, unpack(members))
        local pinned = redis.call('ZMSCORE', pins, unpack(members))
        local created_at = redis.call('HMGET', created, unpack(members))
        local messages = redis.call('HMGET', last, unpack(members))
        local unread_of = redis.call('HMGET', unread_counts, unpack(members))
        local peer_read = redis.call('HMGET', peer_reads, unpack(members))
        local ext_of = redis.call('HMGET', exts, unpack(members))
        for i, member in ipairs(members) do
          if activity[i] then
            local message = messages[i]
            if message and position_of(message) <= tonumber(ARGV[5]) then message = false end
            result[#result + 1] = member
            result[#result + 1] = activity[i]
            result[#result + 1] = created_at[i] or activity[i]
            result[#result + 1] = pinned[i] or false
            result[#result + 1] = message or false
            result[#result + 1] = unread_of[i] or '0'
            result[#result + 1] = peer_read[i] or false
            result[#result + 1] = ext_of[i] or false
          end
        end
        return result
        """;

    /// <summary>
    /// The user's side of a one-way deletion (tag <c>{u:user}</c>): repoints the conversation's last message when
    /// the deletion hid it, takes hidden messages out of the unread count, and appends the event. ARGV: member,
    /// watermark position, replacement (<c>position|blob</c>, '' to clear), event log length, event blob ('' for
    /// none), hidden positions… A newer message stored meanwhile is left in place: only a hidden last message is
    /// replaced. Returns the event's seq, or 0.
    /// </summary>
    public const string ApplyHide = UserKeys + """
        local current = redis.call('HGET', last, ARGV[1])
        local hidden = {}
        for i = 6, #ARGV do hidden[tonumber(ARGV[i])] = true end
        if current then
          local position = position_of(current)
          if position <= tonumber(ARGV[2]) or hidden[position] then
            if ARGV[3] == '' then redis.call('HDEL', last, ARGV[1]) else redis.call('HSET', last, ARGV[1], ARGV[3]) end
          end
        end
        redis.call('ZREMRANGEBYSCORE', unread, '-inf', ARGV[2])
        for i = 6, #ARGV do redis.call('ZREMRANGEBYSCORE', unread, ARGV[i], ARGV[i]) end
        if redis.call('ZSCORE', convs, ARGV[1]) then set_unread(ARGV[1], redis.call('ZCARD', unread)) end
        if ARGV[5] == '' then return 0 end
        return append_event(ARGV[5], ARGV[4])
        """;

    /// <summary>
    /// Removes a conversation from a user's list and pins with all its per-user state, and appends the event,
    /// atomically (tag <c>{u:user}</c>). ARGV: member, event log length, event blob.
    /// Returns -1 when the user does not have the conversation, else the event's seq.
    /// </summary>
    public const string DeleteConversation = UserKeys + """
        if not redis.call('ZSCORE', convs, ARGV[1]) then return -1 end
        forget(ARGV[1])
        redis.call('DEL', unread)
        return append_event(ARGV[3], ARGV[2])
        """;

    /// <summary>
    /// Moves the user's read point in a conversation forward and recounts what stays unread (tag <c>{u:user}</c>).
    /// ARGV: member, read position, event log length, event blob. The event is appended only when the read point
    /// moved. Returns {-1} when the user does not have the conversation, else {unread count, seq or 0, read position}.
    /// </summary>
    public const string MarkRead = UserKeys + """
        if not redis.call('ZSCORE', convs, ARGV[1]) then return {-1} end
        local current = tonumber(redis.call('HGET', reads, ARGV[1]) or '0')
        local moved = tonumber(ARGV[2]) > current
        if moved then
          current = tonumber(ARGV[2])
          redis.call('HSET', reads, ARGV[1], ARGV[2])
        end
        redis.call('ZREMRANGEBYSCORE', unread, '-inf', string.format('%.0f', current))
        local count = redis.call('ZCARD', unread)
        set_unread(ARGV[1], count)
        local seq = 0
        if moved then seq = append_event(ARGV[4], ARGV[3]) end
        return {count, seq, string.format('%.0f', current)}
        """;

    /// <summary>
    /// Marks every conversation that has unread messages read, and appends the event (tag <c>{u:user}</c>).
    /// KEYS[15..]: the unread sets of the conversations named in ARGV[4..]. ARGV: read position, event log length,
    /// event blob, members… Returns the event's seq.
    /// </summary>
    public const string MarkAllRead = UserKeys + """
        for i = 4, #ARGV do
          local member, set = ARGV[i], KEYS[11 + i]
          if redis.call('ZSCORE', convs, member) then
            if tonumber(ARGV[1]) > tonumber(redis.call('HGET', reads, member) or '0') then
              redis.call('HSET', reads, member, ARGV[1])
            end
            redis.call('ZREMRANGEBYSCORE', set, '-inf', ARGV[1])
            set_unread(member, redis.call('ZCARD', set))
          end
        end
        return append_event(ARGV[3], ARGV[2])
        """;

    /// <summary>
    /// Records that the other participant of a single chat read up to a time (tag <c>{u:user}</c> of the sender).
    /// ARGV: member, read time ms. The time only moves forward. Returns 1 when it moved, else 0.
    /// </summary>
    public const string RecordPeerRead = UserKeys + """
        if not redis.call('ZSCORE', convs, ARGV[1]) then return 0 end
        if tonumber(ARGV[2]) <= tonumber(redis.call('HGET', peer_reads, ARGV[1]) or '0') then return 0 end
        redis.call('HSET', peer_reads, ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Sets or clears the user's extension field of a conversation and appends the event (tag <c>{u:user}</c>).
    /// ARGV: member, ext ('' clears), event log length, event blob. Returns -1 when the user does not have the
    /// conversation, 0 when nothing changed, else the event's seq.
    /// </summary>
    public const string UpdateExt = UserKeys + """
        if not redis.call('ZSCORE', convs, ARGV[1]) then return -1 end
        if (redis.call('HGET', exts, ARGV[1]) or '') == ARGV[2] then return 0 end
        if ARGV[2] == '' then redis.call('HDEL', exts, ARGV[1]) else redis.call('HSET', exts, ARGV[1], ARGV[2]) end
        return append_event(ARGV[4], ARGV[3])
        """;

    /// <summary>
    /// The user's side of leaving a group (tag <c>{u:user}</c>): the group leaves their membership mirror and their
    /// list, and the event is appended. ARGV: group id, member, event log length, event blob.
    /// Returns 0 when the user had neither, else the event's seq.
    /// </summary>
    public const string LeaveGroup = UserKeys + """
        local was = redis.call('SREM', groups, ARGV[1])
        local had = redis.call('ZSCORE', convs, ARGV[2])
        if had then forget(ARGV[2]) end
        redis.call('DEL', unread)
        if was == 0 and not had then return 0 end
        return append_event(ARGV[4], ARGV[3])
        """;

    /// <summary>
    /// Claims an idempotent operation (tag <c>{u:user}</c>). KEYS: the operation. ARGV: lease ms.
    /// Returns false when this caller claimed it (now <c>P</c> for the lease), else what is stored: <c>P</c> while
    /// another caller runs it, or its outcome.
    /// </summary>
    public const string BeginOperation = """
        local current = redis.call('GET', KEYS[1])
        if current then return current end
        redis.call('SET', KEYS[1], 'P', 'PX', ARGV[1])
        return false
        """;

    /// <summary>Releases a claim that has no outcome yet (tag <c>{u:user}</c>). KEYS: the operation.</summary>
    public const string AbandonOperation = """
        if redis.call('GET', KEYS[1]) == 'P' then redis.call('DEL', KEYS[1]) end
        return 0
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
