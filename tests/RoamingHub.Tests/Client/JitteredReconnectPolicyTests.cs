using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Client;

namespace RoamingHub.Tests.Client;

public sealed class JitteredReconnectPolicyTests
{
    [Fact]
    public void Never_gives_up_and_waits_below_a_ceiling_that_doubles_from_one_second_to_thirty()
    {
        var atCeiling = new JitteredReconnectPolicy(() => 1.0);
        var ceilings = Enumerable.Range(0, 40)
            .Select(attempt => atCeiling.NextRetryDelay(new RetryContext { PreviousRetryCount = attempt, ElapsedTime = TimeSpan.FromHours(attempt) }))
            .ToList();

        Assert.All(ceilings, delay => Assert.NotNull(delay));
        Assert.Equal(
            [1, 2, 4, 8, 16, 30, 30],
            ceilings.Take(7).Select(d => d!.Value.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(30), ceilings[^1]);
    }

    [Fact]
    public void Each_wait_is_the_ceiling_scaled_by_a_random_fraction()
    {
        var fractions = new Queue<double>([0.0, 0.25, 0.5]);
        var policy = new JitteredReconnectPolicy(fractions.Dequeue);

        var delays = Enumerable.Range(0, 3).Select(_ => policy.NextRetryDelay(new RetryContext { PreviousRetryCount = 3 })!.Value).ToList();

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)], delays);
    }
}
