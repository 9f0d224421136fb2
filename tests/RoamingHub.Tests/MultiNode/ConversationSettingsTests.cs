using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// GetConversation, mute, the unread mark and marks across two nodes on one Redis, each call over both protocols: the
/// change reaches the user's device on the other node once, and SyncEvents replays it.
/// </summary>
public sealed class ConversationSettingsTests : IClassFixture<ConversationSettingsTests.Cluster>
{
    private readonly Cluster _cluster;

    public ConversationSettingsTests(Cluster cluster) => _cluster = cluster;

    public sealed class Cluster : TwoNodes;

    public static TheoryData<RoamingHubProtocol> Protocols() => [RoamingHubProtocol.Json, RoamingHubProtocol.MessagePack];

    private static SendMessageRequest Single(string to, string body) => new() { To = to, ChatType = ChatTypes.SingleChat, Body = body };

    private static async Task<Conversation> ListedAsync(RoamingHubClient client, string conversationId) =>
        (await client.FetchConversationsAsync(new FetchConversationsRequest { PageSize = 50 })).Data.Single(c => c.ConversationId == conversationId);

    private static async Task<string> RefusedAsync(Func<Task> call) => (await Assert.ThrowsAsync<HubException>(call)).Message;

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Get_conversation_answers_the_list_entry_and_NOT_FOUND_for_one_not_in_the_list(RoamingHubProtocol protocol)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone", protocol);
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        await bobPhone.SendMessageAsync(Single(alice, "hi"));
        await phone.PinConversationAsync(new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true });
        await phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Add = [3, 1] });

        var one = await phone.GetConversationAsync(new GetConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });

        Assert.Equal(await ListedAsync(phone, bob), one);
        Assert.Equal((true, 1, "hi"), (one.IsPinned, one.UnreadCount, one.LastMessage!.Body));
        Assert.Equal([1, 3], one.Marks);
        Assert.StartsWith(ErrorCodes.NotFound + ": ", await RefusedAsync(() =>
            phone.GetConversationAsync(new GetConversationRequest { ConversationId = TestIds.User("carol"), ChatType = ChatTypes.SingleChat })), StringComparison.Ordinal);
        Assert.StartsWith(ErrorCodes.InvalidArgument + ": chatType", await RefusedAsync(() =>
            phone.GetConversationAsync(new GetConversationRequest { ConversationId = bob })), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task A_mute_reaches_the_other_device_once_and_the_badge_leaves_out_what_is_muted(RoamingHubProtocol protocol)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        var group = TestIds.User("team");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone", protocol);
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        await using var bobPhone = await _cluster.B.ConnectAsync(bob, "phone");
        var onLaptop = new Recorder(laptop);
        await bobPhone.SendMessageAsync(Single(alice, "one"));
        await bobPhone.SendMessageAsync(Single(alice, "two"));
        await onLaptop.WaitForMessagesAsync(2);
        var until = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();

        var muted = await phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = until, ClientOpId = "mute-1" });
        var again = await phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = until });

        Assert.Equal((true, (long?)until), (muted.Muted, muted.MutedUntil));
        Assert.NotNull(muted.Seq);
        Assert.Equal(new MuteResult { Muted = true, MutedUntil = until }, again);
        var evt = (await onLaptop.WaitForEventsAsync(1)).Single();
        Assert.Equal((MultiDeviceOperations.ConversationMuted, bob, (long?)until, "phone", muted.Seq!.Value), (evt.Operation, evt.ConversationId, evt.MutedUntil, evt.FromDeviceId, evt.Seq));
        var listed = await ListedAsync(laptop, bob);
        Assert.Equal((true, (long?)until, 2), (listed.Muted, listed.MutedUntil, listed.UnreadCount));
        Assert.Equal(new UnreadSummary { TotalUnread = 2, ConversationsWithUnread = 1, TotalUnreadUnmuted = 0 }, await laptop.GetUnreadSummaryAsync());
        Assert.Equal(muted, await phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = until, ClientOpId = "mute-1" }));

        // Muting a conversation not in the list adds it; a group the user is not in is refused.
        var carol = TestIds.User("carol");
        await phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = carol, ChatType = ChatTypes.SingleChat, Muted = true });
        Assert.Equal((true, (long?)null), ((await ListedAsync(laptop, carol)).Muted, (await ListedAsync(laptop, carol)).MutedUntil));
        Assert.StartsWith(ErrorCodes.Forbidden + ": ", await RefusedAsync(() =>
            phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = group, ChatType = ChatTypes.GroupChat, Muted = true })), StringComparison.Ordinal);
        Assert.StartsWith(ErrorCodes.InvalidArgument + ": mutedUntil must be at most 9007199254740991", await RefusedAsync(() =>
            phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = 1L << 53 })), StringComparison.Ordinal);

        var unmuted = await phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = false });
        Assert.Equal((false, (long?)null), (unmuted.Muted, unmuted.MutedUntil));
        var events = await onLaptop.WaitForEventsAsync(3);
        Assert.Equal([MultiDeviceOperations.ConversationMuted, MultiDeviceOperations.ConversationMuted, MultiDeviceOperations.ConversationUnmuted], events.Select(e => e.Operation));
        Assert.Equal(new UnreadSummary { TotalUnread = 2, ConversationsWithUnread = 1, TotalUnreadUnmuted = 2 }, await laptop.GetUnreadSummaryAsync());
        var replay = await laptop.SyncEventsAsync(new SyncEventsRequest { SinceSeq = muted.Seq.Value - 1 });
        Assert.Equal(events, replay.Events);
        await Recorder.SettleAsync();
        Assert.Equal(3, onLaptop.RawEvents.Count);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Marking_unread_reaches_the_other_device_and_reading_clears_it_everywhere(RoamingHubProtocol protocol)
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone", protocol);
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        var onPhone = new Recorder(phone);
        await phone.SendMessageAsync(Single(bob, "mine"));
        var conversation = new MarkConversationUnreadRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat };
        var readRequest = new MarkConversationReadRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat };
        // The read point is at the newest message before the mark, so the read that clears it moves nothing.
        var first = await laptop.MarkConversationReadAsync(readRequest);

        var marked = await phone.MarkConversationUnreadAsync(conversation);
        var again = await phone.MarkConversationUnreadAsync(conversation);

        Assert.NotNull(marked.Seq);
        Assert.Null(again.Seq);
        var evt = (await onLaptop.WaitForEventsAsync(1)).Single();
        Assert.Equal((MultiDeviceOperations.ConversationMarkedUnread, bob, marked.Seq!.Value), (evt.Operation, evt.ConversationId, evt.Seq));
        Assert.Equal((true, 0), ((await ListedAsync(laptop, bob)).MarkedUnread, (await ListedAsync(laptop, bob)).UnreadCount));
        Assert.Equal(new UnreadSummary { TotalUnread = 0, ConversationsWithUnread = 1, TotalUnreadUnmuted = 0 }, await laptop.GetUnreadSummaryAsync());
        Assert.StartsWith(ErrorCodes.NotFound + ": ", await RefusedAsync(() =>
            phone.MarkConversationUnreadAsync(new MarkConversationUnreadRequest { ConversationId = TestIds.User("nobody"), ChatType = ChatTypes.SingleChat })), StringComparison.Ordinal);

        var read = await laptop.MarkConversationReadAsync(readRequest);
        Assert.NotNull(read.Seq);
        Assert.Equal(first.ReadTimestamp, read.ReadTimestamp);
        var heard = (await onPhone.WaitForEventsAsync(first.Seq is null ? 1 : 2))[^1];
        Assert.Equal((MultiDeviceOperations.ConversationRead, bob, read.Seq!.Value, (long?)first.ReadTimestamp), (heard.Operation, heard.ConversationId, heard.Seq, heard.ReadTimestamp));
        Assert.False((await ListedAsync(phone, bob)).MarkedUnread);
        Assert.Equal(new UnreadSummary(), await phone.GetUnreadSummaryAsync());

        await phone.MarkConversationUnreadAsync(conversation);
        var all = await laptop.MarkAllConversationsReadAsync();
        Assert.False((await ListedAsync(phone, bob)).MarkedUnread);
        Assert.True(all.Seq > read.Seq);
    }

    [Theory]
    [MemberData(nameof(Protocols))]
    public async Task Marks_reach_the_other_device_and_the_mark_filter_pages_newest_activity_first(RoamingHubProtocol protocol)
    {
        var alice = TestIds.User("alice");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone", protocol);
        await using var laptop = await _cluster.B.ConnectAsync(alice, "laptop", protocol);
        var onLaptop = new Recorder(laptop);
        var peers = Enumerable.Range(0, 5).Select(i => TestIds.User($"peer{i}")).ToList();
        foreach (var peer in peers)
        {
            await phone.SendMessageAsync(Single(peer, "x"));
        }

        var set = await phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = peers[0], ChatType = ChatTypes.SingleChat, Add = [7, 2] });
        foreach (var peer in peers.Skip(1))
        {
            await phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = peer, ChatType = ChatTypes.SingleChat, Add = [7] });
        }

        var removed = await phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = peers[0], ChatType = ChatTypes.SingleChat, Remove = [2, 9] });

        Assert.Equal([2, 7], set.Marks);
        Assert.Equal([7], removed.Marks);
        var events = await onLaptop.WaitForEventsAsync(6);
        Assert.All(events, e => Assert.Equal(MultiDeviceOperations.ConversationMarksUpdated, e.Operation));
        Assert.Equal([2, 7], events[0].Marks!);
        Assert.Equal([7], events[5].Marks!);

        await phone.SendMessageAsync(Single(peers[1], "newest"));
        var walked = new List<Conversation>();
        string? cursor = null;
        do
        {
            var page = await laptop.FetchConversationsAsync(new FetchConversationsRequest { Mark = 7, PageSize = 2, Cursor = cursor });
            walked.AddRange(page.Data);
            cursor = page.Cursor;
        }
        while (cursor is not null);

        Assert.Equal([peers[1], peers[4], peers[3], peers[2], peers[0]], walked.Select(c => c.ConversationId));
        Assert.All(walked, c => Assert.Equal([7], c.Marks));
        Assert.Empty((await laptop.FetchConversationsAsync(new FetchConversationsRequest { Mark = 2 })).Data);
        var firstPage = await laptop.FetchConversationsAsync(new FetchConversationsRequest { Mark = 7, PageSize = 2 });
        Assert.StartsWith(ErrorCodes.InvalidArgument + ": cursor", await RefusedAsync(() =>
            laptop.FetchConversationsAsync(new FetchConversationsRequest { Mark = 6, PageSize = 2, Cursor = firstPage.Cursor })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_INVALID_ARGUMENT_naming_the_field_and_changes_nothing()
    {
        var alice = TestIds.User("alice");
        var bob = TestIds.User("bob");
        await using var phone = await _cluster.A.ConnectAsync(alice, "phone");
        await phone.SendMessageAsync(Single(bob, "x"));
        var before = await phone.GetSyncStateAsync();

        string[] refusals =
        [
            await RefusedAsync(() => phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Add = [20] })),
            await RefusedAsync(() => phone.SetConversationMarksAsync(new SetConversationMarksRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Remove = [-1] })),
            await RefusedAsync(() => phone.FetchConversationsAsync(new FetchConversationsRequest { Mark = 20 })),
            await RefusedAsync(() => phone.FetchPinnedConversationsAsync(new FetchConversationsRequest { Mark = 1 })),
            await RefusedAsync(() => phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = 1 })),
            await RefusedAsync(() => phone.SetConversationMutedAsync(new SetConversationMutedRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = false, MutedUntil = long.MaxValue })),
        ];

        Assert.Equal(["add", "remove", "mark", "mark", "mutedUntil", "mutedUntil"], refusals.Select(r => r.Split(' ')[1].TrimEnd(':')));
        Assert.All(refusals, r => Assert.StartsWith(ErrorCodes.InvalidArgument + ": ", r, StringComparison.Ordinal));
        Assert.Equal(before, await phone.GetSyncStateAsync());
        Assert.Empty((await phone.GetConversationAsync(new GetConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat })).Marks);
    }
}
