using RoamingHub.Contracts;
using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// Random pairs of users send messages at a total rate R, each from a random device of the sender: send-ack latency,
/// delivery to every device of the recipient and to the sender's other devices, throughput and loss.
/// </summary>
internal static class MessagesScenario
{
    public const string Operation = "SendMessage";

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        await using var fleet = await context.ConnectAsync(options.Users, options.DevicesPerUser).ConfigureAwait(false);
        context.RecordConnections(fleet, (long)options.Users * options.DevicesPerUser);
        // Recipients that never read: the server must not let them slow anyone else's sends or pushes.
        await using var stuck = await StuckReaders.OpenAsync(options, context.CancellationToken).ConfigureAwait(false);

        var sends = new MessageDriver(fleet, new DeliveryLedger(), options);
        var stats = new OperationStats(Operation);
        var loop = new OpenLoop(stats.Errors, options.MaxInFlight);

        // Probed before the load: after it, a server still working off a backlog would add its commands to the count.
        await context.ProbeRoundTripsAsync(Operation, i => sends.SendAsync(new Scheduled(long.MaxValue - i, 0, false), new OperationStats("probe"))).ConfigureAwait(false);
        var phase = await context.BeginPhaseAsync(Operation).ConfigureAwait(false);
        var started = await loop.RunAsync(options.Rate, options.WarmUp, options.Duration, options.MaxOperations,
            scheduled => sends.SendAsync(scheduled, stats), context.CancellationToken).ConfigureAwait(false);
        await context.SettleAsync(loop, sends.Ledger, fleet).ConfigureAwait(false);
        await context.EndPhaseAsync(phase, started).ConfigureAwait(false);
        context.Result.Operations.Add(stats.Figures(loop, options.Rate));
    }
}

/// <summary>Sends a message between a random pair and expects it on every device that should get it.</summary>
internal sealed class MessageDriver(DeviceFleet fleet, DeliveryLedger ledger, LoadOptions options)
{
    public const string ToRecipient = "message → recipient's devices";
    public const string ToSender = "message → sender's other devices";

    public DeliveryLedger Ledger { get; } = ledger;

    public async Task SendAsync(Scheduled scheduled, OperationStats stats)
    {
        var users = fleet.Users;
        var from = Random.Shared.Next(users);
        var to = (from + 1 + Random.Shared.Next(users - 1)) % users;
        var senders = fleet.DevicesOf(from).ToList();
        if (senders.Count == 0 || senders[Random.Shared.Next(senders.Count)] is not { IsConnected: true } sender)
        {
            stats.Fail(ErrorTally.NotConnected);
            return;
        }

        var request = new SendMessageRequest
        {
            To = fleet.UserId(to),
            ChatType = ChatTypes.SingleChat,
            Body = MessageBody.For(scheduled.Index, options.BodyBytes),
            ClientMsgId = $"{options.RunId}-{scheduled.Index}",
        };
        var message = await stats.TrackAsync(scheduled, () => sender.Client.SendMessageAsync(request)).ConfigureAwait(false);
        if (message is not null)
        {
            Ledger.Expect(ToRecipient, scheduled, scheduled.Index, [.. fleet.DevicesOf(to)], isEvent: false);
            Ledger.Expect(ToSender, scheduled, scheduled.Index, [.. senders.Where(d => d != sender)], isEvent: false);
        }
    }
}
