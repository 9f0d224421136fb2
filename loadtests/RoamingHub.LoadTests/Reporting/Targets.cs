using System.Globalization;
using RoamingHub.LoadTests.Scenarios;

namespace RoamingHub.LoadTests.Reporting;

/// <summary>
/// The targets of the load-test issue, checked against a run. A check is marked at-target-load only when the run
/// offered at least the load the target names; a lighter run still shows the comparison but proves nothing.
/// </summary>
internal static class Targets
{
    public static IEnumerable<TargetCheck> Check(LoadResult result, LoadOptions options)
    {
        switch (options.Scenario)
        {
            case LoadScenario.Connections:
            {
                var connections = result.Connections!;
                var atLoad = connections.Attempted >= 10_000 && options.Duration >= TimeSpan.FromMinutes(5);
                var failures = connections.Failed + connections.Dropped + result.Operations.Sum(o => o.Failed);
                yield return new("connections held", "10,000 for 5 min, 0 failures", $"{connections.Opened} for {options.Duration.TotalMinutes:0.#} min, {failures} failures", failures == 0, atLoad);
                if (result.Memory is { } memory)
                {
                    yield return new("server memory per connection", "≤ 100 KiB", $"{memory.PerConnectionKiB:0.#} KiB", memory.PerConnectionKiB <= 100, atLoad);
                }

                break;
            }

            case LoadScenario.PinFanout:
            {
                var atLoad = options.Rate >= 1000 && options.Users * options.DevicesPerUser >= 6000 && options.DevicesPerUser >= 3;
                foreach (var check in Delivery(result, PinFanoutScenario.Delivery, 5, atLoad))
                {
                    yield return check;
                }

                break;
            }

            case LoadScenario.Messages:
            {
                var atLoad = options.Rate >= 5000;
                var send = result.Operations.Single(o => o.Name == MessagesScenario.Operation);
                yield return new("messages stored and delivered", "≥ 5,000/s", Rate(send.ThroughputPerSecond), send.ThroughputPerSecond >= 5000, atLoad);
                yield return new("send-ack p99", "≤ 20 ms", Ms(send.Latency.P99), send.Latency.P99 <= 20 && send.Failed == 0, atLoad);
                var lost = result.Lost;
                yield return new("messages lost", "0", lost.ToString(CultureInfo.InvariantCulture), lost == 0, atLoad);
                break;
            }

            case LoadScenario.Fetch:
            {
                foreach (var (name, p99, rate, page) in new[] { (FetchScenario.Conversations, 5.0, 2000.0, 20), (FetchScenario.History, 10.0, 1000.0, 50) })
                {
                    var operation = result.Operations.Single(o => o.Name == name);
                    var atLoad = operation.OfferedPerSecond >= rate;
                    yield return new($"{name} ({page}) p99", $"≤ {p99} ms at {rate:0}/s", $"{Ms(operation.Latency.P99)} at {Rate(operation.ThroughputPerSecond)}", operation.Latency.P99 <= p99 && operation.Failed == 0, atLoad);
                    if (result.RedisRoundTrips.TryGetValue(name, out var roundTrips))
                    {
                        yield return new($"{name} Redis round trips", "≤ 2", $"{roundTrips} top-level commands", roundTrips <= 2, true);
                    }
                }

                break;
            }

            case LoadScenario.Mixed:
                yield return new("mixed: loss and errors", "0 lost, 0 duplicated, 0 errors", $"{result.Lost} lost, {result.Duplicated} duplicated, {result.Errors} errors", result.Lost + result.Duplicated + result.Errors == 0, true);
                break;
        }
    }

    private static IEnumerable<TargetCheck> Delivery(LoadResult result, string name, double p99, bool atLoad)
    {
        var delivery = result.Deliveries.SingleOrDefault(d => d.Name == name) ?? new DeliveryFigures(name, 0, 0, 0, 0, new(0, 0, 0, 0, 0, 0));
        yield return new($"{name} p99", $"≤ {p99} ms", Ms(delivery.Latency.P99), delivery.Latency.P99 <= p99 && delivery.Expected > 0, atLoad);
        yield return new($"{name}: lost, duplicated", "0, 0", $"{delivery.Lost}, {delivery.Duplicated}", delivery.Lost == 0 && delivery.Duplicated == 0, atLoad);
    }

    private static string Ms(double value) => value.ToString("0.###", CultureInfo.InvariantCulture) + " ms";

    private static string Rate(double value) => value.ToString("#,0", CultureInfo.InvariantCulture) + "/s";
}
