using System.Collections.Concurrent;
using System.Diagnostics;
using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Reporting;

namespace RoamingHub.LoadTests.Measurement;

/// <summary>
/// What each device should receive, set against what its raw handlers saw. An event is expected once by seq on each
/// of its user's other devices; a message once by operation id on each device of the recipient and on the sender's
/// other devices. Missing is lost, a second arrival is a duplicate, and latency runs from the operation's due time
/// to the first arrival.
/// </summary>
internal sealed class DeliveryLedger
{
    private readonly ConcurrentQueue<Expectation> _expected = new();
    private long _expectedDeliveries;

    /// <summary>Expects <paramref name="key"/> (a seq, or an operation id) on each of <paramref name="receivers"/>.</summary>
    public void Expect(string kind, Scheduled scheduled, long key, IReadOnlyList<Device> receivers, bool isEvent)
    {
        if (receivers.Count == 0)
        {
            return;
        }

        _expected.Enqueue(new Expectation(kind, key, scheduled.DueTimestamp, scheduled.Measured, receivers, isEvent));
        Interlocked.Add(ref _expectedDeliveries, receivers.Count);
    }

    /// <summary>Waits until as many pushes arrived as were expected, or <paramref name="limit"/> passed.</summary>
    public async Task DrainAsync(IReadOnlyCollection<Device> devices, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline
            && devices.Sum(d => (long)d.RawEventCount + d.RawMessageCount) < Interlocked.Read(ref _expectedDeliveries))
        {
            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public (IReadOnlyList<DeliveryFigures> Figures, DeliveryAnomalies Anomalies) Figures(IReadOnlyCollection<Device> devices)
    {
        var events = devices.ToDictionary(d => d, d => Index(d.Events));
        var messages = devices.ToDictionary(d => d, d => Index(d.Messages));
        var byKind = new Dictionary<string, Tally>(StringComparer.Ordinal);
        var matched = new HashSet<(Device, long, bool)>();

        foreach (var expectation in _expected)
        {
            if (!byKind.TryGetValue(expectation.Kind, out var tally))
            {
                byKind[expectation.Kind] = tally = new Tally();
            }

            foreach (var device in expectation.Receivers)
            {
                tally.Expected++;
                var arrivals = (expectation.IsEvent ? events : messages).GetValueOrDefault(device);
                if (arrivals is null || !arrivals.TryGetValue(expectation.Key, out var times))
                {
                    tally.Lost++;
                    continue;
                }

                matched.Add((device, expectation.Key, expectation.IsEvent));
                tally.Received++;
                tally.Duplicated += times.Count - 1;
                if (expectation.Measured)
                {
                    tally.Latency.Record(expectation.Due, times.Min());
                }
            }
        }

        // Pushes nobody expected: the changes of operations whose answer was lost (a timeout the server did apply).
        var unexpected = events.Sum(d => d.Value.Keys.Count(k => !matched.Contains((d.Key, k, true))))
            + messages.Sum(d => d.Value.Keys.Count(k => !matched.Contains((d.Key, k, false))));
        var recovered = devices.Sum(d => (long)d.EventsRecovered);
        var clientDropped = devices.Sum(d => (long)d.DuplicatesDropped);

        return (
            [.. byKind.Select(pair => new DeliveryFigures(
                pair.Key, pair.Value.Expected, pair.Value.Received, pair.Value.Lost, pair.Value.Duplicated, pair.Value.Latency.Summary()))],
            new DeliveryAnomalies(unexpected, recovered, clientDropped));
    }

    private static Dictionary<long, List<long>> Index(IReadOnlyList<Arrival> arrivals)
    {
        var index = new Dictionary<long, List<long>>();
        foreach (var arrival in arrivals)
        {
            if (!index.TryGetValue(arrival.Key, out var times))
            {
                index[arrival.Key] = times = [];
            }

            times.Add(arrival.Timestamp);
        }

        return index;
    }

    private sealed record Expectation(string Kind, long Key, long Due, bool Measured, IReadOnlyList<Device> Receivers, bool IsEvent);

    private sealed class Tally
    {
        public long Expected;
        public long Received;
        public long Lost;
        public long Duplicated;
        public readonly Latency Latency = new();
    }
}
