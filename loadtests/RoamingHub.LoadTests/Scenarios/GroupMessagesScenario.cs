using RoamingHub.Contracts;
using RoamingHub.LoadTests.Fleet;
using RoamingHub.LoadTests.Measurement;

namespace RoamingHub.LoadTests.Scenarios;

/// <summary>
/// Messages to large groups: the users are split into groups of <see cref="LoadOptions.GroupSize"/> (made through the
/// admin API), and a random member of a random group sends to it at a total rate R from one of their devices. Every
/// device of every member times the delivery (the sender's other devices included), so the figures are the cost of
/// one group message: its chat, every member's stream entry and list, and every member's push.
/// </summary>
internal static class GroupMessagesScenario
{
    public const string Operation = "SendGroupMessage";
    public const string ToMembers = "group message → members' devices";

    public static async Task RunAsync(ScenarioContext context)
    {
        var options = context.Options;
        await using var fleet = await context.ConnectAsync(options.Users, options.DevicesPerUser).ConfigureAwait(false);
        context.RecordConnections(fleet, (long)options.Users * options.DevicesPerUser);
        var groups = await CreateGroupsAsync(options, fleet, context.CancellationToken).ConfigureAwait(false);
        await context.Log.WriteLineAsync($"  {groups.Count} groups of {options.GroupSize} members").ConfigureAwait(false);

        var ledger = new DeliveryLedger();
        var stats = new OperationStats(Operation);
        var loop = new OpenLoop(stats.Errors, options.MaxInFlight);
        var phase = await context.BeginPhaseAsync(Operation).ConfigureAwait(false);
        var started = await loop.RunAsync(options.Rate, options.WarmUp, options.Duration, options.MaxOperations,
            scheduled => SendAsync(fleet, groups, ledger, options, scheduled, stats), context.CancellationToken).ConfigureAwait(false);
        context.RecordMeasuredWindow(Operation, loop);
        await context.SettleAsync(loop, ledger, fleet).ConfigureAwait(false);
        await context.EndPhaseAsync(phase, started).ConfigureAwait(false);
        context.Result.Operations.Add(stats.Figures(loop, options.Rate));
    }

    private static async Task SendAsync(DeviceFleet fleet, IReadOnlyList<LoadGroup> groups, DeliveryLedger ledger, LoadOptions options, Scheduled scheduled, OperationStats stats)
    {
        var group = options.Senders > 0 ? groups[0] : groups[Random.Shared.Next(groups.Count)];
        var from = group.Members[Random.Shared.Next(options.Senders > 0 ? options.Senders : group.Members.Count)];
        var devices = fleet.DevicesOf(from).ToList();
        if (devices.Count == 0 || devices[Random.Shared.Next(devices.Count)] is not { IsConnected: true } sender)
        {
            stats.Fail(ErrorTally.NotConnected);
            return;
        }

        var request = new SendMessageRequest
        {
            To = group.Id,
            ChatType = ChatTypes.GroupChat,
            Body = MessageBody.For(scheduled.Index, options.BodyBytes),
            ClientMsgId = $"{options.RunId}-{scheduled.Index}",
        };
        if (await stats.TrackAsync(scheduled, () => sender.Client.SendMessageAsync(request)).ConfigureAwait(false) is not null)
        {
            ledger.Expect(ToMembers, scheduled, scheduled.Index, [.. group.Members.SelectMany(fleet.DevicesOf).Where(d => d != sender)], isEvent: false);
        }
    }

    /// <summary>Makes the groups: consecutive users, the first of each its owner.</summary>
    private static async Task<IReadOnlyList<LoadGroup>> CreateGroupsAsync(LoadOptions options, DeviceFleet fleet, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var groups = new List<LoadGroup>();
        for (var first = 0; first + options.GroupSize <= fleet.Users; first += options.GroupSize)
        {
            var members = Enumerable.Range(first, options.GroupSize).ToList();
            var group = new LoadGroup($"{options.RunId}-g{groups.Count}", members);
            var node = options.Nodes[groups.Count % options.Nodes.Count];
            var create = new CreateGroupRequest
            {
                GroupId = group.Id,
                Owner = fleet.UserId(first),
                Members = [.. members.Skip(1).Select(fleet.UserId)],
            };
            using var response = await AdminRequests.PostAsync(http, node, AdminApi.Groups, create, options.AdminApiKey, cancellationToken).ConfigureAwait(false);
            groups.Add(group);
        }

        return groups;
    }

    private sealed record LoadGroup(string Id, IReadOnlyList<int> Members);
}
