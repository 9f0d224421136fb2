using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary>A token for one user can never read or change another user's state.</summary>
public sealed class IsolationTests : IClassFixture<IsolationTests.Node>
{
    private readonly RoamingNode _node;

    public IsolationTests(Node node) => _node = node.Instance;

    public sealed class Node : IDisposable
    {
        public RoamingNode Instance { get; } = new();

        public void Dispose() => Instance.Dispose();
    }

    [Fact]
    public async Task Pins_lists_events_and_cursors_stay_with_the_user_who_made_them()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var a = await _node.ConnectAsync(alice);
        await using var b = await _node.ConnectAsync(bob);
        var bobsInbox = new Recorder(b);
        for (var i = 0; i < 3; i++)
        {
            await a.PinConversationAsync(new PinConversationRequest { ConversationId = $"peer{i}", ChatType = ChatTypes.SingleChat, IsPinned = true });
        }

        var alicesPage = await a.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 1 });

        Assert.Empty((await b.FetchConversationsAsync()).Data);
        Assert.Empty((await b.FetchPinnedConversationsAsync()).Data);
        Assert.Equal(0, (await b.GetSyncStateAsync()).LastSeq);
        Assert.Empty((await b.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0 })).Events);
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() => b.FetchConversationsAsync(new FetchConversationsRequest { Cursor = alicesPage.Cursor }));
        Assert.StartsWith(ErrorCodes.InvalidArgument, error.Message, StringComparison.Ordinal);
        await Recorder.SettleAsync();
        Assert.Empty(bobsInbox.RawEvents);
        Assert.Equal(3, (await a.FetchPinnedConversationsAsync()).Data.Count);
    }
}
