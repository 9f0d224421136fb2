using System.Diagnostics;
using RoamingHub.Contracts;
using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// Readers with full conversation lists and deep histories: <c>FetchConversations</c> (20 per page) at one rate, then
/// <c>FetchHistoryMessages</c> (50 per page) at another, each in its own phase so Redis commands per operation are
/// counted for each alone. A page shorter than the data allows counts as an error.
/// </summary>
/// <remarks>
/// User <c>i</c> talks with users <c>i±1 … i±C/2</c>, so every user has C conversations (C rounded up to even) with
/// one message each, and the conversation of users <c>2k</c> and <c>2k+1</c> holds M messages: history reads go
/// there. Seeding C × M messages for every reader would take hours at any realistic send rate, and a history page
/// costs the same whatever else the user has.
/// </remarks>
internal static class FetchScenario
{
    public const string Conversations = "FetchConversations";
    public const string History = "FetchHistoryMessages";
    private const int ConversationsPage = 20;
    private const int HistoryPage = 50;

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        var users = options.Users;
        await using var fleet = await context.ConnectAsync(users, options.DevicesPerUser).ConfigureAwait(false);
        context.RecordConnections(fleet, (long)users * options.DevicesPerUser);

        var half = (options.ConversationsPerUser + 1) / 2;
        var seeds = new List<(int From, int To, int Count)>();
        for (var user = 0; user < users; user++)
        {
            for (var k = 1; k <= half; k++)
            {
                var deep = k == 1 && user % 2 == 0;
                seeds.Add((user, (user + k) % users, deep ? options.MessagesPerConversation : 1));
            }
        }

        await Seeder.SeedAsync(context, fleet, seeds).ConfigureAwait(false);
        var expectedConversations = Math.Min(ConversationsPage, 2 * half);
        var expectedHistory = Math.Min(HistoryPage, options.MessagesPerConversation);

        Task<Page<Conversation>> FetchConversationsOf(int user) =>
            Any(fleet, user).Client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = ConversationsPage });

        Task<Page<Message>> FetchHistoryOf(int user) =>
            Any(fleet, user).Client.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest
            {
                ConversationId = fleet.UserId(DeepPeer(user, users)),
                ChatType = ChatTypes.SingleChat,
                PageSize = HistoryPage,
                Direction = HistoryDirections.Up,
            });

        // Probed before the load: after it, a server still working off a backlog would add its commands to the count.
        await context.ProbeRoundTripsAsync(Conversations, i => FetchConversationsOf(i % users)).ConfigureAwait(false);
        await context.ProbeRoundTripsAsync(History, i => FetchHistoryOf(i % users)).ConfigureAwait(false);
        await RunPhaseAsync(context, Conversations, options.ConversationsRate, async (scheduled, stats) =>
        {
            var page = await stats.TrackAsync(scheduled, () => FetchConversationsOf(Random.Shared.Next(users))).ConfigureAwait(false);
            if (page is not null && page.Data.Count != expectedConversations)
            {
                stats.Errors.Add("SHORT_PAGE");
            }
        }).ConfigureAwait(false);

        await RunPhaseAsync(context, History, options.HistoryRate, async (scheduled, stats) =>
        {
            var page = await stats.TrackAsync(scheduled, () => FetchHistoryOf(Random.Shared.Next(users))).ConfigureAwait(false);
            if (page is not null && page.Data.Count != expectedHistory)
            {
                stats.Errors.Add("SHORT_PAGE");
            }
        }).ConfigureAwait(false);
    }

    /// <summary>The partner of a user's deep conversation: users 2k and 2k+1 share one (the last odd user uses 0's).</summary>
    public static int DeepPeer(int user, int users) =>
        user % 2 == 0 ? (user + 1) % users : user - 1;

    private static Device Any(DeviceFleet fleet, int user)
    {
        var devices = fleet.DevicesOf(user).ToList();
        return devices.Count == 0 ? throw new InvalidOperationException(ErrorTally.NotConnected) : devices[Random.Shared.Next(devices.Count)];
    }

    private static async Task RunPhaseAsync(ScenarioContext context, string name, double rate, Func<Scheduled, OperationStats, Task> operation)
    {
        var options = context.Options;
        var stats = new OperationStats(name);
        var loop = new OpenLoop(stats.Errors, options.MaxInFlight);
        var phase = await context.BeginPhaseAsync(name).ConfigureAwait(false);
        var started = await loop.RunAsync(rate, options.WarmUp, options.Duration, options.MaxOperations,
            scheduled => operation(scheduled, stats), context.CancellationToken).ConfigureAwait(false);
        await loop.WaitIdleAsync(options.InvocationTimeout + TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        await context.EndPhaseAsync(phase, started).ConfigureAwait(false);
        context.Result.Operations.Add(stats.Figures(loop, rate));
    }
}

/// <summary>Stores the messages a scenario reads, as fast as the server takes them, before the measured phases.</summary>
internal static class Seeder
{
    /// <summary>Sends in flight at once: the server runs one call at a time per connection, so more only queue.</summary>
    private const int Concurrency = 256;

    public static async Task SeedAsync(ScenarioContext context, DeviceFleet fleet, IReadOnlyList<(int From, int To, int Count)> seeds)
    {
        var total = seeds.Sum(s => (long)s.Count);
        await context.Log.WriteLineAsync($"  seeding {total} messages in {seeds.Count} conversations").ConfigureAwait(false);
        var stats = new OperationStats("seed SendMessage");
        var started = Stopwatch.GetTimestamp();
        var phase = await context.BeginPhaseAsync("seed").ConfigureAwait(false);

        // Each conversation is seeded in order by one task; tasks run side by side up to the concurrency.
        await Parallel.ForEachAsync(seeds, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = context.CancellationToken }, async (seed, _) =>
        {
            for (var n = 0; n < seed.Count; n++)
            {
                var devices = fleet.DevicesOf(n % 2 == 0 ? seed.From : seed.To).ToList();
                if (devices.Count == 0)
                {
                    stats.Fail(ErrorTally.NotConnected);
                    continue;
                }

                var request = new SendMessageRequest
                {
                    To = fleet.UserId(n % 2 == 0 ? seed.To : seed.From),
                    ChatType = ChatTypes.SingleChat,
                    Body = $"seed {n} " + new string('s', Math.Max(0, context.Options.BodyBytes - 16)),
                };
                await stats.TrackAsync(new Scheduled(n, Stopwatch.GetTimestamp(), true), () => devices[0].Client.SendMessageAsync(request)).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await context.EndPhaseAsync(phase, total).ConfigureAwait(false);
        context.Result.Notes.Add($"Seeded {stats.Succeeded} messages in {seconds:F1} s ({stats.Succeeded / seconds:F0}/s, closed loop, {Concurrency} in flight); seed errors: {stats.Errors.Total}.");
        if (stats.Errors.Total > 0)
        {
            context.Result.Operations.Add(new Reporting.OperationFigures(
                stats.Name, 0, total, stats.Succeeded, stats.Errors.Total, stats.Errors.Snapshot(), 0, stats.Latency.Summary(), LatencySummary.None));
        }
    }
}
