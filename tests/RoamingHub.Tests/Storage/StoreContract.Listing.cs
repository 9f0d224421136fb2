using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>Walks through the conversation and pin lists: what each page carries, first page and later ones.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task Every_page_of_either_list_carries_live_activity_and_pin_times_and_a_walk_keeps_its_order()
    {
        var store = Store();
        for (var i = 0; i < 5; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, $"peer{i}", "x"), T0 + i, true, default);
        }

        await store.Conversations.PinConversationAsync(_alice, With("peer1"), pinned: true, "phone", T0 + 100, null, default);
        await store.Conversations.PinConversationAsync(_alice, With("peer3"), pinned: true, "phone", T0 + 101, null, default);

        var active = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 2, T0 + 200, default);
        var pins = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, null, 1, T0 + 200, default);

        Assert.Equal(["peer4", "peer3"], active.Items.Select(c => c.Conversation.Id));
        Assert.Equal([T0 + 4, T0 + 3], active.Items.Select(c => c.ActivityTime));
        Assert.Equal([T0 + 4, T0 + 3], active.Items.Select(c => c.CreatedTime));
        Assert.Equal([null, T0 + 101], active.Items.Select(c => c.PinnedTime));
        var pinned = Assert.Single(pins.Items);
        Assert.Equal(("peer3", T0 + 3, T0 + 3, (long?)(T0 + 101)), (pinned.Conversation.Id, pinned.ActivityTime, pinned.CreatedTime, pinned.PinnedTime));

        // Mid-walk, peer1 is unpinned and becomes the most active, and peer2 is deleted: both walks keep the order
        // they began with, read each entry as it is now, and skip what left the list.
        await store.Conversations.PinConversationAsync(_alice, With("peer1"), pinned: false, "phone", T0 + 300, null, default);
        await store.Messages.SendMessageAsync(Draft("peer1", _alice, "bump"), T0 + 301, true, default);
        await store.Conversations.DeleteRemoteConversationAsync(_alice, With("peer2"), false, "phone", T0 + 302, null, default);
        var activeRest = new List<ConversationEntry>();
        for (var cursor = active.Next; cursor is not null;)
        {
            var page = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, cursor, 2, T0 + 400, default);
            activeRest.AddRange(page.Items);
            cursor = page.Next;
        }

        var pinsRest = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Pinned, pins.Next, 1, T0 + 400, default);

        Assert.Equal(["peer1", "peer0"], activeRest.Select(c => c.Conversation.Id));
        Assert.Equal([T0 + 301, T0], activeRest.Select(c => c.ActivityTime));
        Assert.Equal([null, null], activeRest.Select(c => c.PinnedTime));
        Assert.Equal("bump", activeRest[0].LastMessage!.Body);
        var unpinned = Assert.Single(pinsRest.Items);
        Assert.Equal(("peer1", T0 + 301, (long?)null), (unpinned.Conversation.Id, unpinned.ActivityTime, unpinned.PinnedTime));
        Assert.Null(pinsRest.Next);
    }

    [Fact]
    public async Task A_list_that_fits_one_page_has_no_next_page_and_a_longer_one_walks_to_its_end_exactly_once()
    {
        var store = Store();
        for (var i = 0; i < 7; i++)
        {
            await store.Messages.SendMessageAsync(Draft(_alice, $"peer{i}", "x"), T0 + i, true, default);
        }

        var whole = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 7, T0, default);
        Assert.Null(whole.Next);
        Assert.Equal(7, whole.Items.Count);

        // Every conversation is bumped between pages, newest last: the walk still returns the first page's order.
        var seen = new List<string>();
        var page = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, null, 3, T0, default);
        seen.AddRange(page.Items.Select(c => c.Conversation.Id));
        var bump = 0;
        while (page.Next is not null)
        {
            for (var i = 0; i < 7; i++)
            {
                await store.Messages.SendMessageAsync(Draft($"peer{i}", _alice, "again"), T0 + 1000 + bump++, true, default);
            }

            page = await store.Conversations.FetchConversationsAsync(_alice, "device", ConversationList.Active, page.Next, 3, T0, default);
            seen.AddRange(page.Items.Select(c => c.Conversation.Id));
        }

        Assert.Equal(Enumerable.Range(0, 7).Reverse().Select(i => $"peer{i}"), seen);
    }
}
