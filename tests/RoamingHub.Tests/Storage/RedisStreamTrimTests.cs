using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// The stream's trim is amortised (<c>lib/event_log.lua</c>): a full stream keeps its newest <c>EventLogLength</c>
/// entries and grows at most a 64th past them between trims; entries past <c>EventLogRetention</c> leave it on the
/// first write of a renewal interval and on every read; message dedupe entries go with their entries. Counted in Redis.
/// </summary>
public sealed class RedisStreamTrimTests() : RedisStoreTests(options => { options.EventLogLength = 128; options.EventLogRetention = TimeSpan.FromHours(1); })
{
    private const int Length = 128;
    private const int Slack = Length / 64;
    private const long Hour = 60 * 60 * 1000;
    private readonly string _alice = TestIds.User("alice");
    private readonly string _bob = TestIds.User("bob");

    private Task PinAsync(int i, long now) =>
        Store.Conversations.PinConversationAsync(_alice, new ConversationRef(ChatTypes.SingleChat, _bob), pinned: i % 2 == 0, "phone", now, null, default).AsTask();

    private Task<SendOutcome> SendAsync(int i, long now) =>
        Store.Messages.SendMessageAsync(new MessageDraft($"m{i:D4}", ChatTypes.SingleChat, _bob, _alice, "text", $"body {i}", null), now, true, default).AsTask();

    [Fact]
    public async Task A_full_stream_keeps_its_newest_length_entries_and_grows_at_most_a_64th_past_them()
    {
        var sizes = new List<long>();
        for (var i = 0; i < 3 * Length; i++)
        {
            await PinAsync(i, T0 + i);
            sizes.Add(await Db.SortedSetLengthAsync(Keys.Events(_alice)));
        }

        // Up to the length every entry stays; past it, the stream sheds the oldest in batches, never below the length.
        Assert.Equal(Enumerable.Range(1, Length).Select(n => (long)n), sizes.Take(Length));
        Assert.All(sizes.Skip(Length), size => Assert.InRange(size, Length, Length + Slack));
        Assert.Contains(Length + Slack, sizes);
        var oldest = await Db.SortedSetRangeByRankWithScoresAsync(Keys.Events(_alice), 0, 0);
        Assert.Equal(3 * Length - sizes[^1] + 1, (long)oldest[0].Score);
    }

    [Fact]
    public async Task Message_dedupe_entries_leave_with_their_entries_when_a_full_stream_is_trimmed()
    {
        for (var i = 0; i < Length + (3 * (Slack + 1)); i++)
        {
            await SendAsync(i, T0 + i);
        }

        var entries = await Db.SortedSetRangeByRankWithScoresAsync(Keys.Events(_alice));
        var dedupe = await Db.SortedSetRangeByRankWithScoresAsync(Keys.StreamMessages(_alice));
        Assert.InRange(entries.Length, Length, Length + Slack);
        Assert.Equal(entries.Select(e => e.Score), dedupe.Select(d => d.Score));
    }

    [Fact]
    public async Task Entries_past_retention_leave_on_the_first_write_of_a_renewal_interval()
    {
        await PinAsync(0, T0);
        await PinAsync(1, T0 + 1000);
        await SendAsync(2, T0 + 2000);

        await PinAsync(4, T0 + Hour + 120_000);

        var left = await Db.SortedSetRangeByRankWithScoresAsync(Keys.Events(_alice));
        Assert.Equal([4.0], left.Select(e => e.Score));
        Assert.Equal(0, await Db.SortedSetLengthAsync(Keys.StreamMessages(_alice)));
    }

    [Fact]
    public async Task A_read_trims_by_age_whenever_it_comes()
    {
        await PinAsync(0, T0);
        await PinAsync(1, T0 + Hour - 1000);
        // Within the renewal interval of the write before: this write trims nothing by age.
        await PinAsync(2, T0 + Hour + 10_000);
        Assert.Equal(3, await Db.SortedSetLengthAsync(Keys.Events(_alice)));

        var replay = await Store.Events.SyncEventsAsync(_alice, 0, null, 100, T0 + Hour + 20_000, default);

        Assert.True(replay.ResyncRequired);
        Assert.Equal(2, await Db.SortedSetLengthAsync(Keys.Events(_alice)));
    }

    [Fact]
    public async Task A_read_never_replays_an_entry_past_retention_even_one_its_trim_had_no_time_for()
    {
        // 120 entries expire together; a call trims at most 100 of them by age, so 20 are still stored after the read.
        for (var i = 0; i < 120; i++)
        {
            await PinAsync(i, T0 + i);
        }

        var replay = await Store.Events.SyncEventsAsync(_alice, 105, null, 100, T0 + Hour + 60_000, default);

        Assert.True(replay.ResyncRequired);
        Assert.Empty(replay.Events);
    }
}
