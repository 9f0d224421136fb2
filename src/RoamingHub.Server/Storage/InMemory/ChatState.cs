using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>A chat's history, stored once for every participant, with each participant's one-way deletions.</summary>
internal sealed class ChatState
{
    public List<(long Position, StoredMessage Message)> Messages { get; } = [];
    public Dictionary<(string From, string ClientMsgId), (string MsgId, long ExpiresAt)> Dedupe { get; } = [];
    public Dictionary<string, long> Watermarks { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Dictionary<string, long>> Hidden { get; } = new(StringComparer.Ordinal);
    public GroupState? Group { get; set; }
    public long LastPosition { get; set; }

    /// <summary>When <see cref="ForgetExpiredClientIds"/> next walks <see cref="Dedupe"/>.</summary>
    private long _dedupeSweepAt;

    /// <summary>The user sees only positions above this: their watermark or the retention floor.</summary>
    public long Floor(string userId, long retentionFloor) => Math.Max(Watermarks.GetValueOrDefault(userId), retentionFloor);

    public bool IsHidden(string userId, string msgId) => Hidden.TryGetValue(userId, out var hidden) && hidden.ContainsKey(msgId);

    public bool IsVisible(string userId, long position, string msgId, long retentionFloor) =>
        position > Floor(userId, retentionFloor) && !IsHidden(userId, msgId);

    public Dictionary<string, long> HiddenOf(string userId)
    {
        if (!Hidden.TryGetValue(userId, out var hidden))
        {
            hidden = new Dictionary<string, long>(StringComparer.Ordinal);
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
        if (Hidden.TryGetValue(userId, out var hidden))
        {
            // Ids below the watermark are hidden by it already.
            foreach (var id in hidden.Where(h => h.Value <= position).Select(h => h.Key).ToList())
            {
                hidden.Remove(id);
            }
        }

        return true;
    }

    public (long Position, StoredMessage Message)? Find(string msgId)
    {
        var index = Messages.FindIndex(m => m.Message.MsgId == msgId);
        return index < 0 ? null : Messages[index];
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
        foreach (var key in Dedupe.Where(d => d.Value.ExpiresAt <= now).Select(d => d.Key).ToList())
        {
            Dedupe.Remove(key);
        }
    }

    /// <summary>Drops messages past retention, and the one-way deletions that referred to them.</summary>
    public void Trim(long retentionFloor)
    {
        var kept = Messages.FindIndex(m => m.Position > retentionFloor);
        Messages.RemoveRange(0, kept < 0 ? Messages.Count : kept);
        foreach (var hidden in Hidden.Values)
        {
            foreach (var id in hidden.Where(h => h.Value <= retentionFloor).Select(h => h.Key).ToList())
            {
                hidden.Remove(id);
            }
        }

        foreach (var user in Watermarks.Where(w => w.Value <= retentionFloor).Select(w => w.Key).ToList())
        {
            Watermarks.Remove(user);
        }
    }
}
