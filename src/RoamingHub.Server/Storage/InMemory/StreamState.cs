using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// One user's stream in the embedded store: entries numbered by seq, bounded by length and age, messages kept as
/// references to their chat. The epoch is new for every stream this process creates, since a restart loses every
/// stream (and so does a user's expiry): a device that resumes with an epoch of an earlier stream is told to resync.
/// Seqs are consecutive, so the entries after a seq are found by index, not by a walk.
/// </summary>
internal sealed class StreamState(WorkMeter meter)
{
    private readonly AppendLog<LoggedStreamEntry> _entries = new(meter);
    private readonly Dictionary<string, long> _messageSeqs = new(StringComparer.Ordinal);

    public string Epoch { get; } = Guid.NewGuid().ToString("N");

    public long Seq { get; private set; }

    /// <summary>The seq of the oldest entry held; one above <see cref="Seq"/> when none is.</summary>
    public long OldestSeq => _entries.Count > 0 ? _entries.First.Seq : Seq + 1;

    /// <summary>At most <paramref name="limit"/> entries after <paramref name="sinceSeq"/>, which must be at or above <see cref="OldestSeq"/> − 1.</summary>
    public IEnumerable<LoggedStreamEntry> After(long sinceSeq, int limit)
    {
        for (var i = (int)(sinceSeq + 1 - OldestSeq); i >= 0 && i < _entries.Count && limit > 0; i++, limit--)
        {
            yield return _entries[i];
        }
    }

    /// <summary>Appends an event, timed by its own timestamp (the time of the change), and answers it as logged.</summary>
    public MultiDeviceEvent Append(MultiDeviceEvent template, RoamingOptions options) =>
        Add(template, null, template.Timestamp, options).Stamp(template);

    /// <summary>Appends <paramref name="message"/> as <paramref name="viewer"/> sees it, once per msgId: a repeat answers the first entry.</summary>
    public StreamEntryRef AppendMessage(StoredMessage message, string viewer, long now, RoamingOptions options)
    {
        if (_messageSeqs.TryGetValue(message.MsgId, out var seq))
        {
            return new StreamEntryRef(seq, Epoch, Appended: false);
        }

        // As touch_conversation.lua: once the message's recall reached this user, a late delivery brings it back nowhere.
        if (_messageSeqs.TryGetValue("r:" + message.MsgId, out var recalledSeq))
        {
            return new StreamEntryRef(recalledSeq, Epoch, Appended: false);
        }

        var conversation = message.ConversationFor(viewer);
        var template = new MultiDeviceEvent
        {
            Operation = MultiDeviceOperations.Message, ConversationId = conversation.Id, ChatType = conversation.ChatType, Timestamp = message.Timestamp,
        };
        var entry = Add(template, message.MsgId, now, options);
        _messageSeqs[message.MsgId] = entry.Seq;
        return entry;
    }

    /// <summary>
    /// Appends <paramref name="template"/> once per <paramref name="key"/> (a recall's <c>r:&lt;msgId&gt;</c>, remembered
    /// while its entry is held, as Redis keeps it in <c>stream-msgs</c>): a repeat appends nothing and answers the
    /// first entry's seq.
    /// </summary>
    public (MultiDeviceEvent Logged, bool Appended) AppendOnce(string key, MultiDeviceEvent template, RoamingOptions options)
    {
        if (_messageSeqs.TryGetValue(key, out var seq))
        {
            return (new StreamEntryRef(seq, Epoch, Appended: false).Stamp(template), false);
        }

        var entry = Add(template, null, template.Timestamp, options, key);
        _messageSeqs[key] = entry.Seq;
        return (entry.Stamp(template), true);
    }

    /// <summary>Drops entries beyond the length limit and older than the retention, with their message dedupe entries.</summary>
    public void Trim(long now, RoamingOptions options)
    {
        var oldest = now - (long)options.EventLogRetention.TotalMilliseconds;
        while (_entries.Count > 0 && (_entries.Count > options.EventLogLength || _entries.First.Time < oldest))
        {
            if ((_entries.First.MsgId ?? _entries.First.OnceKey) is { } key)
            {
                _messageSeqs.Remove(key);
            }

            _entries.RemoveFirst();
        }
    }

    private StreamEntryRef Add(MultiDeviceEvent template, string? msgId, long now, RoamingOptions options, string? onceKey = null)
    {
        var entry = new StreamEntryRef(++Seq, Epoch);
        _entries.Add(new LoggedStreamEntry(entry.Seq, now, entry.Stamp(template), msgId, onceKey));
        Trim(now, options);
        return entry;
    }
}

/// <summary>
/// An entry as kept: the event (for a message, its conversation and time) and, for a message, its msgId; for an entry
/// appended once per key (<see cref="StreamState.AppendOnce"/>), that key.
/// </summary>
internal sealed record LoggedStreamEntry(long Seq, long Time, MultiDeviceEvent Event, string? MsgId, string? OnceKey = null);
