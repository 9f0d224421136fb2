namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// msgIds of one chat with their positions, looked up by id and ordered by position, as a Redis sorted set is: a
/// user's unread messages of a conversation, their hidden messages of a chat. Adding, removing and dropping what is at
/// or below a position cost O(log n) per id, never a walk of the whole set.
/// </summary>
internal sealed class PositionSet(WorkMeter meter)
{
    // Positions are unique within a chat, so the order needs no tie-break by id.
    private static readonly IComparer<(long Position, string MsgId)> ByPosition =
        Comparer<(long Position, string MsgId)>.Create((a, b) => a.Position.CompareTo(b.Position));

    private readonly Dictionary<string, long> _positions = new(StringComparer.Ordinal);
    private readonly SortedSet<(long Position, string MsgId)> _ordered = new(ByPosition);

    public int Count => _positions.Count;

    public bool Contains(string msgId)
    {
        meter.Touch();
        return _positions.ContainsKey(msgId);
    }

    /// <summary>The highest position held (<c>ZREVRANGE … 0 0</c>), 0 when empty.</summary>
    public long Highest => _ordered.Count > 0 ? _ordered.Max.Position : 0;

    /// <summary>Adds the id unless it is there already (<c>ZADD NX</c>); true when it was added.</summary>
    public bool Add(string msgId, long position)
    {
        meter.Touch();
        if (!_positions.TryAdd(msgId, position))
        {
            return false;
        }

        _ordered.Add((position, msgId));
        return true;
    }

    public bool Remove(string msgId)
    {
        meter.Touch();
        if (!_positions.Remove(msgId, out var position))
        {
            return false;
        }

        _ordered.Remove((position, msgId));
        return true;
    }

    /// <summary>Drops every id at or below <paramref name="position"/>; answers how many went.</summary>
    public int RemoveAtOrBelow(long position)
    {
        var removed = 0;
        while (_ordered.Count > 0 && _ordered.Min.Position <= position)
        {
            meter.Touch();
            var lowest = _ordered.Min;
            _ordered.Remove(lowest);
            _positions.Remove(lowest.MsgId);
            removed++;
        }

        return removed;
    }
}
