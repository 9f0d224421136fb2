using RoamingHub.Client;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary>The client's invocation timeout: no timeout and very long ones work, nonsense is refused up front.</summary>
public sealed class ClientTimeoutTests : IClassFixture<MessagingTests.Node>
{
    private readonly RoamingNode _node;

    public ClientTimeoutTests(MessagingTests.Node node) => _node = node.Instance;

    [Theory]
    [InlineData(-1)]
    [InlineData(long.MaxValue)]
    public async Task Calls_run_with_an_infinite_or_very_long_timeout(long milliseconds)
    {
        var user = TestIds.User("patient");
        var token = await _node.IssueTokenAsync(user);
        await using var client = new RoamingHubClient(new RoamingHubClientOptions
        {
            ServerUrl = _node.BaseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
            InvocationTimeout = milliseconds == long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromMilliseconds(milliseconds),
        });
        await client.StartAsync();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(0, (await client.GetUnreadSummaryAsync()).TotalUnread);
            await Task.Delay(150);
        }
    }

    [Fact]
    public void A_zero_timeout_is_refused_when_the_client_is_made()
    {
        var options = new RoamingHubClientOptions
        {
            ServerUrl = _node.BaseAddress,
            AccessTokenProvider = () => Task.FromResult<string?>(null),
            InvocationTimeout = TimeSpan.Zero,
        };

        Assert.Throws<ArgumentOutOfRangeException>(() => new RoamingHubClient(options));
    }
}
