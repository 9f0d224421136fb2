using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.InMemory;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The embedded store holds what Redis would hold for as long as Redis would, and does per call the work Redis does:
/// what it holds is counted by kind, and its work as the entries its collections touch (<see cref="WorkMeter"/>:
/// counted inside the collections, so a linear walk anywhere shows), never as time. Work is bounded per call, by the
/// entries a call must touch plus a few binary searches (<see cref="Log"/> touches each), so a lookup that walks the
/// history again fails the bound. Times are the ones passed to the store.
/// </summary>
public sealed class InMemoryBoundsTests
{
    private readonly ITestOutputHelper _output;
    private const long T0 = 1_790_000_000_000;
    private const long Minute = 60_000;
    private const long Day = 24 * 60 * Minute;
    private const int History = 3000;
    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");
    private readonly InMemoryState _state;
    private readonly Stores _store;

    public InMemoryBoundsTests(ITestOutputHelper output)
    {
        _output = output;
        _state = new InMemoryState(Options.Create(new RoamingOptions()));
        _store = new Stores(
            new InMemoryMessageStore(_state), new InMemoryConversationStore(_state), new InMemoryGroupStore(_state),
            new InMemoryEventLog(_state), new InMemoryPresenceStore(_state), new InMemoryOperationStore(_state), new InMemorySendBudget(_state),
            new InMemoryConversationSettingsStore(_state));
    }

    private static ConversationRef With(string user) => new(ChatTypes.SingleChat, user);

    private static long Lifetime => (long)new RoamingOptions().ChatLifetime.TotalMilliseconds;

    private Task<SendOutcome> SendAsync(string from, string to, long now) =>
        _store.Messages.SendMessageAsync(new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, from, to, "text", "hi", null), now, true, default).AsTask();

    private async Task<List<StoredMessage>> HistoryAsync(int count)
    {
        var sent = new List<StoredMessage>(count);
        for (var i = 0; i < count; i++)
        {
            sent.Add((await SendAsync(_alice, _bob, T0 + i)).Message);
        }

        return sent;
    }

    /// <summary>The touches of one binary search through <see cref="History"/> entries.</summary>
    private static readonly int Log = (int)Math.Ceiling(Math.Log2(History)) + 1;

    /// <summary>The work <paramref name="call"/> did, in entries touched.</summary>
    private async Task<long> ScannedByAsync(Func<Task> call)
    {
        var before = _state.Work.Touched;
        await call();
        return _state.Work.Touched - before;
    }

    [Fact]
    public async Task Ids_that_never_connect_cost_nothing_once_their_lifetime_has_passed_and_an_active_user_keeps_everything()
    {
        var stem = TestIds.User("never");
        for (var i = 0; i < 500; i++)
        {
            await SendAsync(_alice, $"{stem}-{i}", T0 + i);
        }

        Assert.Equal((501, 500), (_state.Held.Users, _state.Held.Chats));
        // Own reads are activity: a returning user keeps their list, though the message in it is past retention.
        await _store.Conversations.FetchConversationsAsync($"{stem}-7", "phone", ConversationList.Active, null, 20, T0 + (20 * Day), default);

        var later = T0 + Lifetime + Minute;
        var kept = await _store.Conversations.FetchConversationsAsync($"{stem}-7", "phone", ConversationList.Active, null, 20, later, default);

        Assert.Equal((1, 0, 0, 0), _state.Held);
        Assert.Equal((_alice, (StoredMessage?)null), (Assert.Single(kept.Items).Conversation.Id, kept.Items[0].LastMessage));
        Assert.Equal(new UnreadSummary(), await _store.Conversations.GetUnreadSummaryAsync($"{stem}-8", later, default));
    }

    [Fact]
    public async Task Reads_and_refused_calls_on_ids_nobody_used_create_nothing()
    {
        for (var i = 0; i < 100; i++)
        {
            var (user, peer) = (TestIds.User("nobody"), TestIds.User("peer"));
            await _store.Conversations.FetchConversationsAsync(user, "phone", ConversationList.Active, null, 20, T0, default);
            await _store.Conversations.FetchConversationsAsync(user, "phone", ConversationList.Pinned, null, 20, T0, default);
            await _store.Conversations.GetUnreadSummaryAsync(user, T0, default);
            await _store.Messages.FetchHistoryMessagesAsync(user, With(peer), new HistoryQuery(true, null, 20), T0, default);
            await _store.Messages.FindMessageAsync(user, With(peer), "m", default);
            await _store.Messages.DeleteRemoteMessagesWithIdsAsync(user, With(peer), ["m"], "phone", T0, null, default);
            await Assert.ThrowsAsync<RoamingException>(() => _store.Conversations.MarkConversationReadAsync(user, With(peer), T0, "phone", T0, null, default).AsTask());
            await Assert.ThrowsAsync<RoamingException>(() => _store.Conversations.UpdateConversationExtAsync(user, With(peer), "x", "phone", T0, null, default).AsTask());
            await Assert.ThrowsAsync<RoamingException>(() => _store.Conversations.DeleteRemoteConversationAsync(user, With(peer), true, "phone", T0, null, default).AsTask());
            await _store.Groups.GetGroupsOfUserAsync(user, default);
            await _store.Presence.HasRoomAsync(user, T0, [], default);
        }

        Assert.Equal((0, 0, 0, 0), _state.Held);
    }

    [Fact]
    public async Task Walks_started_from_any_number_of_devices_expire_with_their_cursor_lifetime()
    {
        for (var i = 0; i < 30; i++)
        {
            await SendAsync(_alice, TestIds.User("peer"), T0 + i);
        }

        var walks = new List<ListCursor>();
        for (var device = 0; device < 200; device++)
        {
            walks.Add((await _store.Conversations.FetchConversationsAsync(_alice, $"device-{device}", ConversationList.Active, null, 10, T0 + 100, default)).Next!);
        }

        Assert.Equal(200, _state.Held.Snapshots);
        // A page renews its walk: device 0 goes on nine minutes later, the others are left where they are.
        await _store.Conversations.FetchConversationsAsync(_alice, "device-0", ConversationList.Active, walks[0], 10, T0 + (9 * Minute), default);

        var lifetime = (long)new RoamingOptions().ListCursorLifetime.TotalMilliseconds;
        await _store.Conversations.GetUnreadSummaryAsync(_alice, T0 + 100 + lifetime, default);

        Assert.Equal(1, _state.Held.Snapshots);
        var third = await _store.Conversations.FetchConversationsAsync(_alice, "device-0", ConversationList.Active, walks[0] with { Offset = 20 }, 10, T0 + (15 * Minute), default);
        Assert.Equal(10, third.Items.Count);
        await _store.Conversations.GetUnreadSummaryAsync(_alice, T0 + (15 * Minute) + lifetime, default);
        Assert.Equal(0, _state.Held.Snapshots);
    }

    [Fact]
    public async Task Paging_through_a_whole_history_either_way_costs_each_page_its_messages_and_two_binary_searches()
    {
        var sent = await HistoryAsync(History);

        var (pages, total, worst) = (0, 0L, 0L);
        foreach (var older in new[] { true, false })
        {
            string? cursor = null;
            var seen = new List<EncodedMessage>();
            do
            {
                HistoryPage page = null!;
                var work = await ScannedByAsync(async () =>
                    page = await _store.Messages.FetchHistoryMessagesAsync(_bob, With(_alice), new HistoryQuery(older, cursor, 20), T0 + History, default));
                seen.AddRange(page.Items);
                (cursor, pages, total, worst) = (page.Next, pages + 1, total + work, Math.Max(worst, work));
            }
            while (cursor is not null);

            Assert.Equal(History, seen.Count);
        }

        _output.WriteLine($"paging {History} messages both ways, {pages} pages of 20: {total} touches, {worst} at most per page");
        // A page touches its 20 messages and the one after (twice each: the range check and the read), finds its
        // cursor and its start by binary search. Finding the cursor by a walk would cost up to 3000 on one page.
        Assert.InRange(worst, 21, (3 * 21) + (2 * Log));
        Assert.InRange(total, 2 * History, pages * ((3 * 21) + (2 * Log)));
        Assert.Equal(sent[0], (await _store.Messages.FindMessageAsync(_bob, With(_alice), sent[0].MsgId, default))!);
    }

    [Fact]
    public async Task A_page_looks_at_no_more_than_the_scan_cap_however_much_was_hidden_and_says_where_to_go_on()
    {
        var sent = await HistoryAsync(History);
        foreach (var batch in sent.Skip(10).Select(m => m.MsgId).Chunk(500))
        {
            await _store.Messages.DeleteRemoteMessagesWithIdsAsync(_bob, With(_alice), batch, "phone", T0 + History, null, default);
        }

        HistoryPage page = null!;
        var scanned = await ScannedByAsync(async () =>
            page = await _store.Messages.FetchHistoryMessagesAsync(_bob, With(_alice), new HistoryQuery(true, null, 20), T0 + History, default));

        _output.WriteLine($"first page behind 2990 hidden messages: {scanned} touches");
        // Each message looked at is touched three times (range check, read, hidden-set lookup), up to the cap and the
        // rest of its batch.
        Assert.InRange(scanned, HistoryQuery.ScanCap, (3 * (HistoryQuery.ScanCap + 21)) + (2 * Log));
        Assert.Empty(page.Items);
        Assert.NotNull(page.Next);
    }

    [Fact]
    public async Task Hiding_by_id_finds_each_message_directly_and_sends_do_not_walk_what_was_hidden()
    {
        var sent = await HistoryAsync(History);
        var before = await ScannedByAsync(() => SendAsync(_bob, _alice, T0 + History));

        var hiding = await ScannedByAsync(() =>
            _store.Messages.DeleteRemoteMessagesWithIdsAsync(_bob, With(_alice), [.. sent.Take(2000).Select(m => m.MsgId)], "phone", T0 + History, null, default).AsTask());
        var worstSend = 0L;
        for (var i = 1; i <= 100; i++)
        {
            worstSend = Math.Max(worstSend, await ScannedByAsync(() => SendAsync(_bob, _alice, T0 + History + i)));
        }

        _output.WriteLine($"hiding 2000 of {History} by id: {hiding} touches; a send: {before} before, at most {worstSend} after");
        // Each id: its message found by binary search, the hidden set and the unread set touched once or twice each;
        // looking for each id by a walk would cost thousands per id. A send touches the same few entries whatever
        // was hidden: walking the 2000 hidden ids would cost 2000.
        Assert.InRange(hiding, 2000, 2000 * (Log + 6));
        Assert.InRange(worstSend, 1, before + Log);
    }

    [Fact]
    public async Task Replaying_a_whole_stream_page_by_page_costs_each_entry_its_lookup_once()
    {
        await HistoryAsync(History);

        var (since, replayed, worst) = (0L, 0, 0L);
        SyncEventsResult page;
        do
        {
            page = null!;
            var work = await ScannedByAsync(async () => page = await _store.Events.SyncEventsAsync(_bob, since, null, 200, T0 + History, default));
            (since, replayed, worst) = (page.Events.Count > 0 ? page.Events[^1].Seq : since, replayed + page.Events.Count, Math.Max(worst, work));
        }
        while (page.HasMore);

        _output.WriteLine($"replaying {History} stream entries in pages of 200: at most {worst} touches per page");
        Assert.Equal(History, replayed);
        // Each entry: read by index and its message found by binary search. Finding the page's start by a walk of the
        // stream would cost up to 3000 more on the last page; a walk for each message, thousands per entry.
        Assert.InRange(worst, 200, 200 * (Log + 4));
    }
}
