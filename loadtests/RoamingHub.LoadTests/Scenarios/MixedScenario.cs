using RoamingHub.Contracts;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// Everything at once, as a day of use looks: sends, pins, list reads and history reads drawn by weight at one total
/// rate, with every push checked as in the single scenarios.
/// </summary>
internal static class MixedScenario
{
    /// <summary>Conversations each user starts before the measured phase, so lists and histories are not empty.</summary>
    private const int SeedConversations = 3;

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var users = options.Users;
        await using var fleet = await context.ConnectAsync(users, options.DevicesPerUser).ConfigureAwait(false);
        context.RecordConnections(fleet, (long)users * options.DevicesPerUser);
        await Seeder.SeedAsync(context, fleet, [.. Enumerable.Range(0, users).SelectMany(u =>
            Enumerable.Range(1, Math.Min(SeedConversations, users - 1)).Select(k => (u, (u + k) % users, 2)))]).ConfigureAwait(false);

        var ledger = new DeliveryLedger();
        var sends = new MessageDriver(fleet, ledger, options);
        var pins = new PinDriver(fleet, ledger);
        var sendStats = new OperationStats(MessagesScenario.Operation);
        var pinStats = new OperationStats(PinFanoutScenario.Operation);
        var listStats = new OperationStats(FetchScenario.Conversations);
        var historyStats = new OperationStats(FetchScenario.History);
        var backlog = new ErrorTally();
        var loop = new OpenLoop(backlog, options.MaxInFlight);
        var mix = options.Mix;

        var phase = await context.BeginPhaseAsync("mixed").ConfigureAwait(false);
        var started = await loop.RunAsync(options.Rate, options.WarmUp, options.Duration, options.MaxOperations, async scheduled =>
        {
            var draw = Random.Shared.Next(mix.Total);
            var user = Random.Shared.Next(users);
            if ((draw -= mix.Send) < 0)
            {
                await sends.SendAsync(scheduled, sendStats).ConfigureAwait(false);
            }
            else if ((draw -= mix.Pin) < 0)
            {
                await pins.PinAsync(user, scheduled, pinStats).ConfigureAwait(false);
            }
            else if (fleet.DevicesOf(user).FirstOrDefault(d => d.IsConnected) is not { } device)
            {
                (draw - mix.Conversations < 0 ? listStats : historyStats).Fail(ErrorTally.NotConnected);
            }
            else if (draw - mix.Conversations < 0)
            {
                await listStats.TrackAsync(scheduled, () => device.Client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 20 })).ConfigureAwait(false);
            }
            else
            {
                await historyStats.TrackAsync(scheduled, () => device.Client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest
                {
                    ConversationId = fleet.UserId((user + 1) % users),
                    ChatType = ChatTypes.SingleChat,
                    PageSize = 50,
                })).ConfigureAwait(false);
            }
        }, context.CancellationToken).ConfigureAwait(false);
        await context.SettleAsync(loop, ledger, fleet).ConfigureAwait(false);
        await context.EndPhaseAsync(phase, started).ConfigureAwait(false);

        var total = (double)mix.Total;
        context.Result.Operations.Add(sendStats.Figures(loop, options.Rate * mix.Send / total));
        context.Result.Operations.Add(pinStats.Figures(loop, options.Rate * mix.Pin / total));
        context.Result.Operations.Add(listStats.Figures(loop, options.Rate * mix.Conversations / total));
        context.Result.Operations.Add(historyStats.Figures(loop, options.Rate * mix.History / total));
        if (backlog.Total > 0)
        {
            context.Result.Operations.Add(new Reporting.OperationFigures(
                "(not started: in-flight limit)", 0, backlog.Total, 0, backlog.Total, backlog.Snapshot(), 0, LatencySummary.None, LatencySummary.None));
        }
    }
}
