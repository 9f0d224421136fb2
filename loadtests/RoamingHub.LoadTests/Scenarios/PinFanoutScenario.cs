using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// U users × D devices online; device 0 of each user pins and unpins one conversation, users taken in turn, at a
/// total rate R. Each change must reach each of the user's other devices once, checked by seq. With an idle time the
/// connections are then held without calls, so what an idle connection costs each process is measured too.
/// </summary>
internal static class PinFanoutScenario
{
    public const string Operation = "PinConversation";
    public const string Delivery = "event → user's other devices";
    public const string IdlePhase = "idle";
    public const string MeasuredWindow = Operation + " (measured)";

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var users = options.Users;
        await using var fleet = await context.ConnectAsync(users, options.DevicesPerUser).ConfigureAwait(false);
        context.RecordConnections(fleet, (long)users * options.DevicesPerUser);

        var pins = new PinDriver(fleet, new DeliveryLedger());
        var stats = new OperationStats(Operation);
        var loop = new OpenLoop(stats.Errors, options.MaxInFlight);

        // Probed before the load: after it, a server still working off a backlog would add its commands to the count.
        await context.ProbeRoundTripsAsync(Operation, i => pins.PinAsync(i % users, default, new OperationStats("probe"))).ConfigureAwait(false);
        var phase = await context.BeginPhaseAsync(Operation).ConfigureAwait(false);
        var started = await loop.RunAsync(options.Rate, options.WarmUp, options.Duration, options.MaxOperations,
            scheduled => pins.PinAsync((int)(scheduled.Index % users), scheduled, stats), context.CancellationToken).ConfigureAwait(false);
        await context.SettleAsync(loop, pins.Ledger, fleet).ConfigureAwait(false);
        await context.EndPhaseAsync(phase, started).ConfigureAwait(false);
        context.Result.Operations.Add(stats.Figures(loop, options.Rate));
        context.RecordMeasuredWindow(MeasuredWindow, loop);

        if (options.Idle > TimeSpan.Zero)
        {
            // Counted per connection: the phase's CPU over its connections is what one idle connection costs.
            var idle = await context.BeginPhaseAsync(IdlePhase).ConfigureAwait(false);
            await Task.Delay(options.Idle, context.CancellationToken).ConfigureAwait(false);
            await context.EndPhaseAsync(idle, fleet.Connected).ConfigureAwait(false);
            context.RecordDrops([.. fleet.All]);
        }
    }
}

/// <summary>Pins and unpins from device 0 of a user, and expects the event on the user's other devices.</summary>
internal sealed class PinDriver(DeviceFleet fleet, DeliveryLedger ledger)
{
    private readonly int[] _toggles = new int[fleet.Users];
    private readonly Device[][] _receivers = [.. Enumerable.Range(0, fleet.Users).Select(u => fleet.DevicesOf(u).Where(d => d.Index != 0).ToArray())];

    public DeliveryLedger Ledger { get; } = ledger;

    public async Task PinAsync(int user, Scheduled scheduled, OperationStats stats)
    {
        if (fleet[user, 0] is not { IsConnected: true } pinner)
        {
            stats.Fail(ErrorTally.NotConnected);
            return;
        }

        // Alternating pin and unpin of one conversation makes every call a change, so every call emits an event.
        var pin = Interlocked.Increment(ref _toggles[user]) % 2 == 1;
        var seq = await stats.TrackAsync(scheduled, () => pinner.PinAsync(fleet.UserId((user + 1) % fleet.Users), pin)).ConfigureAwait(false);
        if (seq is { } changed)
        {
            Ledger.Expect(PinFanoutScenario.Delivery, scheduled, changed, _receivers[user], isEvent: true);
        }
    }
}
