namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// Keys with an expiry time, soonest first: setting a key's time and taking one that is due each cost O(log n), so
/// the embedded store expires what Redis would expire without walking everything it holds.
/// </summary>
internal sealed class ExpiryQueue<TKey>
    where TKey : notnull
{
    private readonly Dictionary<TKey, long> _times = [];
    private readonly SortedSet<(long At, TKey Key)> _queue;

    /// <param name="order">Orders keys that expire at the same time; any total order will do.</param>
    public ExpiryQueue(IComparer<TKey> order) =>
        _queue = new SortedSet<(long At, TKey Key)>(Comparer<(long At, TKey Key)>.Create((a, b) =>
            a.At != b.At ? a.At.CompareTo(b.At) : order.Compare(a.Key, b.Key)));

    /// <summary>When <paramref name="key"/> expires, or null when it is not queued.</summary>
    public long? ExpiryOf(TKey key) => _times.TryGetValue(key, out var at) ? at : null;

    public void Set(TKey key, long at)
    {
        Remove(key);
        _times[key] = at;
        _queue.Add((at, key));
    }

    public void Remove(TKey key)
    {
        if (_times.Remove(key, out var at))
        {
            _queue.Remove((at, key));
        }
    }

    /// <summary>Takes the soonest key whose time is at or before <paramref name="now"/>; false when none is due.</summary>
    public bool TryTakeDue(long now, out TKey key)
    {
        if (_queue.Count == 0 || _queue.Min.At > now)
        {
            key = default!;
            return false;
        }

        key = _queue.Min.Key;
        Remove(key);
        return true;
    }
}
