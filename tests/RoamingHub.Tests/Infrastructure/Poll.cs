namespace RoamingHub.Tests.Infrastructure;

/// <summary>Waits for something a test cannot await directly, and fails the test when it does not come in time.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what = "The condition")
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            Xunit.Assert.True(DateTime.UtcNow < deadline, $"{what} did not hold within {within}.");
            await Task.Delay(20);
        }
    }
}
