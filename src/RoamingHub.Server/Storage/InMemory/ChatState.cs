using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// A chat's history, stored once for every participant, with each participant's one-way deletions. Messages are kept
/// in position order with an index by msgId, so finding one, starting a page at a cursor and trimming what retention
/// removed cost what they cost in a Redis sorted set, not a walk of the whole history.
/// </summary>
internal sealed class ChatState(WorkMeter meter)
{
    private readonly AppendLog<(long Position, StoredMessage Message)> _messages = new(meter);
    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);

    /// <summary>Recalled messages by id → position, as Redis' <c>recalled</c>: out of history, their place kept for cursors.</summary>
    private readonly Dictionary<string, long> _recalled = new(StringComparer.Ordinal);

    /// <summary>When <see cref="ForgetExpiredClientIds"/> next walks <see cref="Dedupe"/>.</summary>
    private long _dedupeSweepAt;

    public Dictionary<(string From, string ClientMsgId), (string MsgId, long ExpiresAt)> Dedupe { get; } = [];
    public Dictionary<string, long> Watermarks { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, PositionSet> Hidden { get; } = new(StringComparer.Ordinal);
    public long LastPosition { get; private set; }

    /// <summary>When the chat's lifetime was last renewed (see <see cref="InMemoryState"/>).</summary>
    public long? RenewedAt { get; set; }

    /// <summary>Stores a message at a position above every other.</summary>
    public void Append(long position, StoredMessage message)
    {
        _messages.Add((position, message));
        _positions[message.MsgId] = position;
        LastPosition = position;
    }

    public (long Position, StoredMessage Message)? Find(string msgId) =>
        _positions.TryGetValue(msgId, out var position) ? _messages[_messages.FirstAbove(position - 1, m => m.Position)] : null;

    /// <summary>
    /// Takes a message out of history for everyone (a recall): no lookup or walk finds it again, and its position is
    /// kept for <see cref="RecalledPosition"/>. False when the chat does not hold it.
    /// </summary>
    public bool Recall(string msgId)
    {
        if (!_positions.Remove(msgId, out var position))
        {
            return false;
        }

        _recalled[msgId] = position;
        return true;
    }

    /// <summary>The position a recalled message had, or null.</summary>
    public long? RecalledPosition(string msgId) => _recalled.TryGetValue(msgId, out var position) ? position : null;

    /// <summary>The user sees only positions above this: their watermark or the retention floor.</summary>
    public long Floor(string userId, long retentionFloor) => Math.Max(Watermarks.GetValueOrDefault(userId), retentionFloor);

    public bool IsHidden(string userId, string msgId) => Hidden.TryGetValue(userId, out var hidden) && hidden.Contains(msgId);

    public bool IsVisible(string userId, long position, string msgId, long retentionFloor) =>
        position > Floor(userId, retentionFloor) && !IsHidden(userId, msgId);

    public PositionSet HiddenOf(string userId)
    {
        if (!Hidden.TryGetValue(userId, out var hidden))
        {
            hidden = new PositionSet(meter);
            Hidden[userId] = hidden;
        }

        return hidden;
    }

    /// <summary>Moves the user's watermark forward; false when it was already there or beyond.</summary>
    public bool RaiseWatermark(string userId, long position)
    {
        if (Watermarks.GetValueOrDefault(userId) >= position)
        {
            return false;
        }

        Watermarks[userId] = position;
        // Ids below the watermark are hidden by it already.
        Hidden.GetValueOrDefault(userId)?.RemoveAtOrBelow(position);
        return true;
    }

    /// <summary>
    /// Walks from <paramref name="bound"/> (exclusive) toward older messages down to <paramref name="floor"/>
    /// (exclusive), or toward newer ones, skipping what <paramref name="userId"/> hid, until <paramref name="want"/>
    /// visible ones are found or <paramref name="cap"/> were looked at; it checks both in batches of what is still
    /// wanted, as <c>lib/walk.lua</c> does. Answers the visible ones, how many it looked at and the last one it looked at.
    /// </summary>
    public (List<(long Position, StoredMessage Message)> Found, int Scanned, string? LastScanned) Walk(
        string userId, bool older, long bound, long floor, int want, int cap)
    {
        var hidden = Hidden.GetValueOrDefault(userId);
        var found = new List<(long Position, StoredMessage Message)>(Math.Min(want, 64));
        var (scanned, last) = (0, (string?)null);
        var step = older ? -1 : 1;
        var index = older ? _messages.FirstAbove(bound - 1, m => m.Position) - 1 : _messages.FirstAbove(bound, m => m.Position);
        bool InRange(int i) => older ? i >= 0 && _messages[i].Position > floor : i < _messages.Count;
        while (found.Count < want && scanned < cap && InRange(index))
        {
            for (var batch = want - found.Count; batch > 0 && InRange(index); batch--, index += step)
            {
                var entry = _messages[index];
                if (_recalled.Count > 0 && _recalled.ContainsKey(entry.Message.MsgId))
                {
                    batch++; // gone from history, as in Redis: neither found nor looked at
                    continue;
                }

                scanned++;
                last = entry.Message.MsgId;
                if (hidden?.Contains(entry.Message.MsgId) != true)
                {
                    found.Add(entry);
                }
            }
        }

        return (found, scanned, last);
    }

    /// <summary>
    /// Forgets the client message ids whose idempotency window has passed (the Redis store's keys expire by
    /// themselves). It walks the map at most once per window, so a send stays cheap however many ids are held.
    /// </summary>
    public void ForgetExpiredClientIds(long now, long window)
    {
        if (now < _dedupeSweepAt)
        {
            return;
        }

        _dedupeSweepAt = now + window;
        meter.Touch(Dedupe.Count);
        foreach (var key in Dedupe.Where(d => d.Value.ExpiresAt <= now).Select(d => d.Key).ToList())
        {
            Dedupe.Remove(key);
        }
    }

    /// <summary>
    /// Drops the messages past retention, oldest first, and the hidden ids of <paramref name="users"/> that referred to
    /// them (a send trims its sender's and single-chat recipient's, as in Redis); answers how many entries went.
    /// </summary>
    public int Trim(long retentionFloor, IEnumerable<string> users)
    {
        var removed = 0;
        while (_messages.Count > 0 && _messages.First.Position <= retentionFloor)
        {
            _positions.Remove(_messages.First.Message.MsgId);
            _recalled.Remove(_messages.First.Message.MsgId);
            _messages.RemoveFirst();
            removed++;
        }

        foreach (var user in users)
        {
            removed += Hidden.GetValueOrDefault(user)?.RemoveAtOrBelow(retentionFloor) ?? 0;
        }

        return removed;
    }
}
