using System.Diagnostics;

namespace RoamingHub.LoadTests.Measurement;

/// <summary>
/// One due operation: its index in the schedule, the time it was due, whether its latency counts in the figures, and
/// the loop that started it (none for probes and seeding).
/// </summary>
internal readonly record struct Scheduled(long Index, long DueTimestamp, bool Measured, OpenLoop? Loop = null)
{
    /// <summary>
    /// Whether a completion at <paramref name="timestamp"/> falls inside the loop's measured window. Throughput counts
    /// those completions, whenever their operations were due: counting only the measured operations that also finish
    /// inside the window would show nothing for a server that completes work late, and a warm-up operation finishing
    /// in the window is work done in it.
    /// </summary>
    public bool CompletesInWindow(long timestamp) => Loop is { } loop && timestamp >= loop.MeasuredFrom && timestamp <= loop.MeasuredTo;
}

/// <summary>
/// Starts operations at a fixed arrival rate whatever the server does (open loop): operation <c>i</c> is due at
/// <c>start + i / rate</c> and starts then even if earlier ones have not finished, and every latency is measured from
/// that due time. A slow server therefore shows its queueing in the figures instead of slowing the load down, which a
/// closed loop (send, wait, send) would hide.
/// </summary>
/// <remarks>
/// The pacer is a thread of its own that sleeps with <see cref="Thread.Sleep(int)"/>, which wakes about 1.1 ms after
/// a 1 ms sleep here; <c>await Task.Delay(1)</c> woke after about 4 ms (the runtime's timer queue), and since latency
/// counts from the due time, that lateness of the load generator was added to every figure. The start lag of every
/// operation is recorded, so the generator's own share of a latency stays visible.
/// </remarks>
internal sealed class OpenLoop
{
    private readonly ErrorTally _errors;
    private readonly int _maxInFlight;
    private long _inFlight;
    private readonly Latency _startLag = new();

    public OpenLoop(ErrorTally errors, int maxInFlight)
    {
        _errors = errors;
        _maxInFlight = maxInFlight;
    }

    /// <summary>
    /// Delays between measured operations' due times and their starts on the thread pool: the load generator's own lag
    /// (its pacer and its thread pool), part of every latency it reports.
    /// </summary>
    public LatencySummary StartLag => _startLag.Summary();

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>The start of the measured window of the last <see cref="RunAsync"/>, in <see cref="Stopwatch"/> ticks.</summary>
    public long MeasuredFrom { get; internal set; }

    /// <summary>The end of the measured window of the last <see cref="RunAsync"/>.</summary>
    public long MeasuredTo { get; internal set; }

    /// <summary>
    /// Runs <paramref name="operation"/> at <paramref name="rate"/> per second for <paramref name="warmUp"/> plus
    /// <paramref name="duration"/>, or until <paramref name="maxOperations"/> have started; returns how many started.
    /// </summary>
    public Task<long> RunAsync(
        double rate, TimeSpan warmUp, TimeSpan duration, long? maxOperations, Func<Scheduled, Task> operation, CancellationToken cancellationToken)
    {
        if (rate <= 0)
        {
            return Task.FromResult(0L);
        }

        var started = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            try
            {
                started.SetResult(Pace(rate, warmUp, duration, maxOperations, operation, cancellationToken));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "open-loop pacer",
        };
        pacer.Start();
        return started.Task;
    }

    private long Pace(
        double rate, TimeSpan warmUp, TimeSpan duration, long? maxOperations, Func<Scheduled, Task> operation, CancellationToken cancellationToken)
    {
        var total = (long)Math.Floor(rate * (warmUp + duration).TotalSeconds);
        if (maxOperations is { } max)
        {
            total = Math.Min(total, max);
        }

        var ticksPerOperation = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var measuredFrom = start + (long)(warmUp.TotalSeconds * Stopwatch.Frequency);
        MeasuredFrom = measuredFrom;
        MeasuredTo = start + (long)((warmUp + duration).TotalSeconds * Stopwatch.Frequency);
        long next = 0;
        while (next < total && !cancellationToken.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            var due = Math.Min(total, (long)((now - start) / ticksPerOperation) + 1);
            for (; next < due; next++)
            {
                var dueAt = start + (long)(next * ticksPerOperation);
                if (Interlocked.Read(ref _inFlight) >= _maxInFlight)
                {
                    _errors.Add(ErrorTally.Backlog);
                    continue;
                }

                Interlocked.Increment(ref _inFlight);
                var scheduled = new Scheduled(next, dueAt, dueAt >= measuredFrom, this);
                // Each operation starts on the thread pool, so serialising one invocation never delays the next start.
                ThreadPool.UnsafeQueueUserWorkItem(
                    static state => _ = state.Loop.RunOneAsync(state.Operation, state.Scheduled),
                    (Loop: this, Operation: operation, Scheduled: scheduled),
                    preferLocal: false);
            }

            var untilNext = (start + (long)(next * ticksPerOperation) - Stopwatch.GetTimestamp()) * 1000 / Stopwatch.Frequency;
            Thread.Sleep((int)Math.Clamp(untilNext, 1, 100));
        }

        MeasuredTo = Math.Min(MeasuredTo, Stopwatch.GetTimestamp());
        return next;
    }

    /// <summary>Waits until no operation is in flight, or <paramref name="limit"/> passed; true when all finished.</summary>
    public async Task<bool> WaitIdleAsync(TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (InFlight > 0)
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                return false;
            }

            await Task.Delay(20, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    private async Task RunOneAsync(Func<Scheduled, Task> operation, Scheduled scheduled)
    {
        if (scheduled.Measured)
        {
            // Taken when the operation starts on the thread pool, so a generator whose pool lags shows it here.
            _startLag.Record(scheduled.DueTimestamp, Stopwatch.GetTimestamp());
        }

        try
        {
            await operation(scheduled).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Operations count their own failures; one that escapes is still a failure, never a lost count.
            _errors.Add(ex);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
