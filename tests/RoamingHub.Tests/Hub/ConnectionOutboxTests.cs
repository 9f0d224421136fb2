using System.Collections.Concurrent;
using RoamingHub.Server.Hubs.Delivery;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Hub;

/// <summary>A connection's outbox on its own: order, hold and release for resume, and what a full outbox does.</summary>
public sealed class ConnectionOutboxTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<OutboxItem> _sent = new();
    private int _overflows;

    private ConnectionOutbox Create(int capacity = 100, bool held = false, Func<Task>? beforeEachSend = null) =>
        new("conn-1", "alice", capacity,
            async (item, _) =>
            {
                if (beforeEachSend is not null)
                {
                    await beforeEachSend();
                }

                _sent.Enqueue(item);
            },
            _ => Interlocked.Increment(ref _overflows),
            held);

    private static OutboxItem Entry(long? seq, string method = "onMultiDeviceEvent") => new(method, $"payload {seq}", seq);

    private static async Task YieldAsync() => await Task.Yield();

    private async Task<IReadOnlyList<long?>> SentSeqsAsync(int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (_sent.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Task.Delay(50);
        return [.. _sent.Select(i => i.Seq)];
    }

    [Fact]
    public async Task A_released_outbox_sends_every_push_in_the_order_it_was_queued()
    {
        var outbox = Create();

        foreach (var seq in new long?[] { 3, 1, null, 2 })
        {
            Assert.True(outbox.TryEnqueue(Entry(seq)));
        }

        Assert.Equal([3L, 1L, null, 2L], await SentSeqsAsync(4));
        outbox.Stop();
    }

    [Fact]
    public async Task Pushes_queued_from_many_threads_at_once_are_each_sent_once_and_each_threads_in_its_order()
    {
        const int Threads = 8;
        const int EachThread = 500;
        // Every other write completes later, so sending keeps passing between producers and the thread pool.
        var writes = 0;
        var outbox = Create(capacity: Threads * EachThread, beforeEachSend: () => Interlocked.Increment(ref writes) % 2 == 0 ? YieldAsync() : Task.CompletedTask);

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(thread => Task.Run(() =>
        {
            for (var i = 0; i < EachThread; i++)
            {
                Assert.True(outbox.TryEnqueue(Entry((thread * EachThread) + i)));
            }
        })));

        var sent = await SentSeqsAsync(Threads * EachThread);
        Assert.Equal(Threads * EachThread, sent.Count);
        Assert.Equal(Threads * EachThread, sent.Distinct().Count());
        foreach (var thread in Enumerable.Range(0, Threads))
        {
            var own = sent.Where(seq => seq / EachThread == thread).ToList();
            Assert.Equal(own.Order(), own);
        }

        outbox.Stop();
    }

    [Fact]
    public async Task A_release_sends_at_most_sixteen_pushes_on_the_releasing_thread_even_when_the_replay_sent_some()
    {
        // Counts the writes made by the releasing thread while it is inside Release, and checks no two writes overlap.
        var releasing = -1;
        var writtenInRelease = 0;
        var writing = 0;
        var overlapped = false;
        var outbox = new ConnectionOutbox("conn-1", "alice", 1000,
            (item, _) =>
            {
                overlapped |= Interlocked.Increment(ref writing) > 1;
                if (Environment.CurrentManagedThreadId == Volatile.Read(ref releasing))
                {
                    writtenInRelease++;
                }

                _sent.Enqueue(item);
                Interlocked.Decrement(ref writing);
                return ValueTask.CompletedTask;
            },
            _ => { },
            held: true);
        for (var seq = 1; seq <= 140; seq++)
        {
            outbox.TryEnqueue(Entry(seq));
        }

        // The replay sent the first 20: skipped, they must not use up the releasing thread's allowance uncounted.
        Volatile.Write(ref releasing, Environment.CurrentManagedThreadId);
        outbox.Release(replayedUpToSeq: 20);
        Volatile.Write(ref releasing, -1);
        var sent = await SentSeqsAsync(120);

        Assert.Equal(Enumerable.Range(21, 120).Select(seq => (long?)seq), sent);
        Assert.InRange(writtenInRelease, 1, 16);
        Assert.False(overlapped);
        outbox.Stop();
    }

    [Fact]
    public async Task Pushes_queued_without_inline_sending_are_written_off_the_producers_thread_in_order()
    {
        var producer = Environment.CurrentManagedThreadId;
        var writtenByProducer = 0;
        var outbox = new ConnectionOutbox("conn-1", "alice", 100,
            (item, _) =>
            {
                if (Environment.CurrentManagedThreadId == Volatile.Read(ref producer))
                {
                    Interlocked.Increment(ref writtenByProducer);
                }

                _sent.Enqueue(item);
                return ValueTask.CompletedTask;
            },
            _ => { },
            held: false);

        for (var seq = 1; seq <= 50; seq++)
        {
            Assert.True(outbox.TryQueueForThreadPool(Entry(seq)));
        }

        Volatile.Write(ref producer, -1);
        Assert.Equal(Enumerable.Range(1, 50).Select(seq => (long?)seq), await SentSeqsAsync(50));
        Assert.Equal(0, writtenByProducer);
        outbox.Stop();
    }

    [Fact]
    public async Task A_push_queued_while_a_write_is_under_way_is_sent_by_that_writer_after_it()
    {
        // The first write does not complete at once; a push for many connections queued meanwhile (TryQueue, then
        // SendPending, as LocalConnections does) finds someone sending, leaves it, and is written right after.
        var firstWrite = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outbox = Create(beforeEachSend: () => _sent.IsEmpty ? firstWrite.Task : Task.CompletedTask);

        Assert.True(outbox.TryEnqueue(Entry(1)));
        Assert.True(outbox.TryQueue(Entry(2)));
        outbox.SendPending();
        Assert.Empty(_sent);

        firstWrite.SetResult();
        Assert.Equal([1, 2], await SentSeqsAsync(2));
        outbox.Stop();
    }

    [Fact]
    public async Task A_held_outbox_sends_nothing_until_released()
    {
        var outbox = Create(held: true);

        outbox.TryEnqueue(Entry(1));
        outbox.TryEnqueue(Entry(2));
        await Task.Delay(200);

        Assert.Empty(_sent);
        outbox.Release(0);
        Assert.Equal([1L, 2L], await SentSeqsAsync(2));
        outbox.Stop();
    }

    [Fact]
    public async Task Release_skips_held_pushes_the_replay_sent_keeps_those_without_a_seq_then_goes_live()
    {
        var outbox = Create(held: true);
        foreach (var seq in new long?[] { 4, null, 5, 6, 7 })
        {
            outbox.TryEnqueue(Entry(seq));
        }

        outbox.Release(replayedUpToSeq: 5, "e1");
        // After the release: one the replay already sent is still left out (its live push came late); a new one goes,
        // and so does one numbered below the replay in another epoch (the stream's numbering started again).
        outbox.TryEnqueue(Entry(5));
        outbox.TryEnqueue(Entry(8));
        outbox.TryEnqueue(Entry(2) with { Epoch = "e2" });

        Assert.Equal([null, 6L, 7L, 8L, 2L], await SentSeqsAsync(5));
        outbox.Stop();
    }

    [Fact]
    public async Task Releasing_twice_or_releasing_an_outbox_that_was_never_held_changes_nothing()
    {
        var outbox = Create();
        outbox.Release(10);
        outbox.TryEnqueue(Entry(3));
        var held = Create(held: true);
        held.TryEnqueue(Entry(11));
        held.Release(10);
        held.Release(20);

        Assert.Equal(2, (await SentSeqsAsync(2)).Count);
        Assert.Equal([3L, 11L], _sent.Select(i => i.Seq).Order());
        outbox.Stop();
        held.Stop();
    }

    [Fact]
    public void A_full_outbox_refuses_without_waiting_and_closes_its_connection_once()
    {
        var outbox = Create(capacity: 3, held: true);

        var accepted = Enumerable.Range(1, 3).Select(i => outbox.TryEnqueue(Entry(i))).ToList();
        var overflow = outbox.TryEnqueue(Entry(4));
        var afterwards = outbox.TryEnqueue(Entry(5));

        Assert.All(accepted, Assert.True);
        Assert.False(overflow);
        Assert.False(afterwards);
        Assert.True(outbox.Overflowed);
        Assert.Equal(1, _overflows);
    }

    [Fact]
    public async Task A_connection_that_does_not_drain_overflows_while_producers_keep_going()
    {
        var stuck = new TaskCompletionSource();
        var outbox = Create(capacity: 5, beforeEachSend: () => stuck.Task);

        // The sender holds one push in its write; the outbox holds five more; the next one overflows.
        var results = Enumerable.Range(1, 20).Select(i => outbox.TryEnqueue(Entry(i))).ToList();

        Assert.Equal(1, _overflows);
        Assert.InRange(results.Count(r => r), 5, 6);
        stuck.SetResult();
        await outbox.Completion.WaitAsync(Patience);
    }

    [Fact]
    public async Task Stop_ends_the_sender_loop_and_refuses_later_pushes_without_closing_anything()
    {
        var outbox = Create(held: true);
        outbox.TryEnqueue(Entry(1));

        outbox.Stop();

        await outbox.Completion.WaitAsync(Patience);
        Assert.False(outbox.TryEnqueue(Entry(2)));
        Assert.Empty(_sent);
        Assert.Equal(0, _overflows);
    }
}
