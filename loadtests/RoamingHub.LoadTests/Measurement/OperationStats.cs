using System.Diagnostics;
using RoamingHub.LoadTests.Reporting;

namespace RoamingHub.LoadTests.Measurement;

/// <summary>
/// The figures of one kind of operation: latency from the due time of measured operations, failures by code, and
/// successful completions inside the measured window (whenever they were due) for throughput.
/// </summary>
internal sealed class OperationStats(string name)
{
    private long _started;
    private long _succeeded;
    private long _completedInWindow;

    public string Name { get; } = name;

    public Latency Latency { get; } = new();

    public ErrorTally Errors { get; } = new();

    public long Succeeded => Interlocked.Read(ref _succeeded);

    /// <summary>Runs one operation due at <paramref name="scheduled"/>; returns its result, or default after counting its failure.</summary>
    public async Task<T?> TrackAsync<T>(Scheduled scheduled, Func<Task<T>> call)
    {
        Interlocked.Increment(ref _started);
        try
        {
            var result = await call().ConfigureAwait(false);
            var done = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _succeeded);
            if (scheduled.Measured)
            {
                Latency.Record(scheduled.DueTimestamp, done);
            }

            if (scheduled.CompletesInWindow(done))
            {
                Interlocked.Increment(ref _completedInWindow);
            }

            return result;
        }
        catch (Exception ex)
        {
            Errors.Add(ex);
            return default;
        }
    }

    /// <summary>Counts an operation that could not even start.</summary>
    public void Fail(string code)
    {
        Interlocked.Increment(ref _started);
        Errors.Add(code);
    }

    /// <summary>The figures, with throughput over the measured window of <paramref name="loop"/>.</summary>
    public OperationFigures Figures(OpenLoop loop, double offeredRate)
    {
        var seconds = (loop.MeasuredTo - loop.MeasuredFrom) / (double)Stopwatch.Frequency;
        return new OperationFigures(
            Name,
            offeredRate,
            Interlocked.Read(ref _started),
            Succeeded,
            Errors.Total,
            Errors.Snapshot(),
            seconds <= 0 ? 0 : Math.Round(Interlocked.Read(ref _completedInWindow) / seconds, 1),
            Latency.Summary(),
            loop.StartLag);
    }
}
