using System.Diagnostics;
using HdrHistogram;

namespace RoamingHub.LoadTests.Measurement;

/// <summary>A thread-safe latency histogram in microseconds, from 1 µs to 10 minutes at 3 significant digits.</summary>
internal sealed class Latency
{
    private readonly LongConcurrentHistogram _histogram = new(1, TimeSpan.FromMinutes(10).Ticks / 10, 3);

    public long Count => _histogram.TotalCount;

    /// <summary>Records the time from <paramref name="fromTimestamp"/> to <paramref name="toTimestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Record(long fromTimestamp, long toTimestamp)
    {
        var micros = Math.Max(1, (toTimestamp - fromTimestamp) * 1_000_000 / Stopwatch.Frequency);
        _histogram.RecordValue(Math.Min(micros, _histogram.HighestTrackableValue));
    }

    public LatencySummary Summary() => Count == 0
        ? LatencySummary.None
        : new LatencySummary(
            Count,
            Millis(_histogram.GetValueAtPercentile(50)),
            Millis(_histogram.GetValueAtPercentile(95)),
            Millis(_histogram.GetValueAtPercentile(99)),
            Millis(_histogram.GetValueAtPercentile(99.9)),
            Millis(_histogram.GetMaxValue()));

    private static double Millis(long micros) => Math.Round(micros / 1000.0, 3);
}

/// <summary>Percentiles in milliseconds.</summary>
internal sealed record LatencySummary(long Count, double P50, double P95, double P99, double P999, double Max)
{
    /// <summary>No samples.</summary>
    public static LatencySummary None { get; } = new(0, 0, 0, 0, 0, 0);
}
