namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// A list that grows at its end and shrinks at its start, with access by index: a chat's messages, a user's stream.
/// Dropping from the start is O(1) amortised (the space is reclaimed in one move once it is half the list), where
/// <see cref="List{T}.RemoveRange"/> would move everything on every trim.
/// </summary>
internal sealed class AppendLog<T>(WorkMeter meter)
{
    private readonly List<T> _items = [];
    private int _start;

    public int Count => _items.Count - _start;

    public T this[int index]
    {
        get
        {
            meter.Touch();
            return _items[_start + index];
        }
    }

    public T First => this[0];

    public void Add(T item) => _items.Add(item);

    public void RemoveFirst()
    {
        _items[_start] = default!;
        _start++;
        if (_start == _items.Count)
        {
            _items.Clear();
            _start = 0;
        }
        else if (_start >= 1024 && _start * 2 >= _items.Count)
        {
            _items.RemoveRange(0, _start);
            _start = 0;
        }
    }

    /// <summary>The index of the first item whose key is above <paramref name="bound"/>, by binary search; items must be in key order.</summary>
    public int FirstAbove(long bound, Func<T, long> key)
    {
        var (low, high) = (0, Count);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (key(this[middle]) <= bound)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
