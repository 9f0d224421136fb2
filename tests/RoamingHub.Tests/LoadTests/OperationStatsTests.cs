using System.Diagnostics;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.Tests.LoadTests;

/// <summary>How the load generator counts throughput and latency around its measured window.</summary>
public sealed class OperationStatsTests
{
    private static readonly long Second = Stopwatch.Frequency;

    [Fact]
    public async Task Throughput_counts_every_completion_inside_the_window_and_latency_only_measured_operations()
    {
        var now = Stopwatch.GetTimestamp();
        // A 10-s window around now, so a slow machine running the calls below cannot push them out of it.
        var loop = new OpenLoop(new ErrorTally(), maxInFlight: 10) { MeasuredFrom = now - Second, MeasuredTo = now + 9 * Second };
        var stats = new OperationStats("op");

        // Due during the warm-up but finishing inside the window: work done in the window, not a latency sample.
        await stats.TrackAsync(new Scheduled(0, now - 2 * Second, Measured: false, loop), () => Task.FromResult(1));
        await stats.TrackAsync(new Scheduled(1, now - Second / 2, Measured: true, loop), () => Task.FromResult(1));
        await stats.TrackAsync(new Scheduled(2, now - Second / 2, Measured: true, loop), () => Task.FromException<int>(new TimeoutException()));
        // Started by no loop (a probe or the seeding): counted as a success, never as throughput.
        await stats.TrackAsync(new Scheduled(3, now, Measured: true), () => Task.FromResult(1));

        var figures = stats.Figures(loop, offeredRate: 1);

        Assert.Equal(3, figures.Succeeded);
        Assert.Equal(1, figures.Failed);
        Assert.Equal(0.2, figures.ThroughputPerSecond); // 2 completions over the 10-s window
        Assert.Equal(2, figures.Latency.Count);
    }

    [Fact]
    public async Task A_completion_after_the_window_is_not_throughput()
    {
        var now = Stopwatch.GetTimestamp();
        var loop = new OpenLoop(new ErrorTally(), maxInFlight: 10) { MeasuredFrom = now - 3 * Second, MeasuredTo = now - Second };
        var stats = new OperationStats("op");

        await stats.TrackAsync(new Scheduled(0, now - 2 * Second, Measured: true, loop), () => Task.FromResult(1));

        var figures = stats.Figures(loop, offeredRate: 1);
        Assert.Equal(1, figures.Succeeded);
        Assert.Equal(0, figures.ThroughputPerSecond);
        Assert.Equal(1, figures.Latency.Count);
    }
}
