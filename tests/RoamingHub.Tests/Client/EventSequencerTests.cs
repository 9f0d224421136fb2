using RoamingHub.Client;
using RoamingHub.Contracts;

namespace RoamingHub.Tests.Client;

/// <summary>
/// The client's event ordering without a connection: a fake host serves <c>SyncEvents</c> from an in-memory log and
/// records what is raised. Each test queues its work before the loop starts and ends it with a marker message; the
/// loop takes work in order, so once the marker is raised everything before it has been handled.
/// </summary>
public sealed class EventSequencerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly FakeHost _host = new();
    private readonly EventSequencer _sequencer;

    public EventSequencerTests() => _sequencer = new EventSequencer(_host);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _sequencer.DisposeAsync();

    [Fact]
    public async Task A_gap_is_filled_from_SyncEvents_and_the_late_pushes_are_dropped()
    {
        _host.Log.AddRange([Event(1), Event(2), Event(3)]);

        Push(2, 3, 1);
        await RunFromAsync(0);

        Assert.Equal([1, 2, 3], _host.Raised);
        Assert.Equal([0], _host.SyncedSince);
        Assert.Equal(3, _sequencer.EventsRecovered);
        Assert.Equal(2, _sequencer.DuplicatesDropped);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    [Fact]
    public async Task Pushes_out_of_order_are_raised_in_seq_order_while_catch_up_fails()
    {
        _host.SyncFailure = new InvalidOperationException("disconnected");

        Push(3, 1, 2);
        await RunFromAsync(0);

        Assert.Equal([1, 2, 3], _host.Raised);
        // Each failed catch-up is reported, and the next piece of work retries from the seq reached by then.
        Assert.Equal([0, 1, 3], _host.SyncedSince);
        Assert.Equal(3, _host.Failures.Count);
        Assert.Equal(0, _sequencer.EventsRecovered);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    [Fact]
    public async Task A_push_that_arrives_twice_is_raised_once()
    {
        Push(1, 1, 2);
        await RunFromAsync(0);

        Assert.Equal([1, 2], _host.Raised);
        Assert.Empty(_host.SyncedSince);
        Assert.Equal(1, _sequencer.DuplicatesDropped);
    }

    [Fact]
    public async Task An_own_change_takes_its_seq_without_being_raised()
    {
        _sequencer.EnqueueEvent(Event(1));
        _sequencer.EnqueueOwnSeq(2);
        _sequencer.EnqueueEvent(Event(3));
        await RunFromAsync(0);

        Assert.Equal([1, 3], _host.Raised);
        Assert.Empty(_host.SyncedSince);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    [Fact]
    public async Task An_own_change_ahead_of_other_devices_is_caught_up_to_and_not_raised()
    {
        _host.Log.AddRange([Event(1), Event(2), Event(3)]);

        _sequencer.EnqueueOwnSeq(3);
        Push(1, 2);
        await RunFromAsync(0);

        Assert.Equal([1, 2], _host.Raised);
        Assert.Equal([0], _host.SyncedSince);
        Assert.Equal(2, _sequencer.EventsRecovered);
        Assert.Equal(2, _sequencer.DuplicatesDropped);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    [Fact]
    public async Task Catch_up_pages_through_the_log_200_events_at_a_time()
    {
        _host.Log.AddRange(Enumerable.Range(1, 450).Select(seq => Event(seq)));

        _sequencer.EnqueueCatchUp();
        await RunFromAsync(0);

        Assert.Equal(Enumerable.Range(1, 450).Select(seq => (long)seq), _host.Raised);
        Assert.Equal([0, 200, 400], _host.SyncedSince);
        Assert.Equal(450, _sequencer.EventsRecovered);
    }

    [Fact]
    public async Task A_gap_the_log_no_longer_holds_asks_for_a_resync_and_continues_from_the_servers_seq()
    {
        _host.ResyncTo = 20;

        Push(9, 21);
        await RunFromAsync(5);

        Assert.Equal([20], _host.Resyncs.Select(r => r.LastSeq));
        Assert.Equal([21], _host.Raised);
        Assert.Equal([5], _host.SyncedSince);
        Assert.Equal(21, _sequencer.LastSeq);
    }

    [Fact]
    public async Task Messages_and_read_acks_take_their_place_in_seq_order_among_events()
    {
        _sequencer.EnqueueEvent(Event(1));
        _sequencer.EnqueueMessage(new Message { MsgId = "m3", Seq = 3 });
        _sequencer.EnqueueReadAck(new ReadAck { ConversationId = "bob", ReadTimestamp = 7, Seq = 2 });
        _sequencer.EnqueueMessage(new Message { MsgId = "m3", Seq = 3 });
        await RunFromAsync(0);

        Assert.Equal(["event 1", "ack 2", "message 3"], _host.RaisedInOrder);
        Assert.Equal(1, _sequencer.DuplicatesDropped);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    [Fact]
    public async Task Replayed_message_and_read_entries_are_raised_as_their_pushes_and_a_message_gone_from_history_only_counts()
    {
        _host.Log.AddRange([
            new MultiDeviceEvent { Seq = 1, Operation = MultiDeviceOperations.Message, Epoch = "e1", Message = new Message { MsgId = "m1" } },
            new MultiDeviceEvent { Seq = 2, Operation = MultiDeviceOperations.PeerRead, Epoch = "e1", ConversationId = "bob", ChatType = ChatTypes.SingleChat, ReadTimestamp = 9 },
            new MultiDeviceEvent { Seq = 3, Operation = MultiDeviceOperations.Message, Epoch = "e1", Message = null },
            Event(4),
        ]);

        _sequencer.EnqueueCatchUp();
        await RunFromAsync(0);

        Assert.Equal(["message 1", "ack 2", "event 4"], _host.RaisedInOrder);
        Assert.Equal(("m1", 1L, "e1"), (_host.Messages[0].MsgId, _host.Messages[0].Seq!.Value, _host.Messages[0].Epoch));
        Assert.Equal(("bob", 9L, 2L), (_host.Acks[0].ConversationId, _host.Acks[0].ReadTimestamp, _host.Acks[0].Seq!.Value));
        Assert.Equal(4, _sequencer.LastSeq);
    }

    [Fact]
    public async Task An_entry_of_another_epoch_makes_the_client_ask_with_its_own_epoch_and_resync_instead_of_ordering_it()
    {
        _host.Epoch = "after-restore";
        _host.Log.AddRange([Event(1), Event(2), Event(3), Event(4)]);

        _sequencer.EnqueueEvent(Event(4) with { Epoch = "after-restore" });
        await RunFromAsync(6, "before-restore");

        Assert.Equal(["before-restore"], _host.SyncedEpochs);
        Assert.Equal((4L, "after-restore"), (Assert.Single(_host.Resyncs).LastSeq, _host.Resyncs[0].Epoch));
        Assert.Empty(_host.RaisedInOrder);
        Assert.Equal((4L, "after-restore"), (_sequencer.LastSeq, _sequencer.Epoch));
    }

    private static MultiDeviceEvent Event(long seq) =>
        new() { Seq = seq, Operation = MultiDeviceOperations.ConversationPinned, ConversationId = $"c{seq}" };

    [Fact]
    public async Task With_a_grace_a_push_overtaken_by_a_later_one_is_waited_for_instead_of_fetched()
    {
        _host.Log.AddRange([Event(1), Event(2)]);

        // 2 overtook 1, which arrives well within the grace: both raised in order, and the server is never asked.
        Push(2, 1);
        _sequencer.EnqueueMessage(new Message { MsgId = FakeHost.MarkerId });
        _sequencer.Start(0, probeInterval: null, gapGrace: TimeSpan.FromSeconds(30));
        await _host.MarkerRaised.Task.WaitAsync(Patience);

        Assert.Equal([1, 2], _host.Raised);
        Assert.Empty(_host.SyncedSince);
        Assert.Equal(0, _sequencer.EventsRecovered);
    }

    [Fact]
    public async Task With_a_grace_a_push_that_never_comes_is_fetched_once_the_grace_has_passed()
    {
        _host.Log.AddRange([Event(1), Event(2), Event(3)]);

        // 1 was lost: nothing fills the gap during the grace, so the catch-up after it brings 1 and raises 2 and 3.
        Push(2, 3);
        _sequencer.Start(0, probeInterval: null, gapGrace: TimeSpan.FromMilliseconds(100));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_sequencer.LastSeq < 3 && waited.Elapsed < Patience)
        {
            await Task.Delay(20);
        }

        await _sequencer.DisposeAsync();
        Assert.Equal([1, 2, 3], _host.Raised);
        Assert.Equal([0], _host.SyncedSince);
        Assert.Equal(3, _sequencer.LastSeq);
    }

    /// <summary>Live pushes from other devices, in the order they arrive.</summary>
    private void Push(params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            _sequencer.EnqueueEvent(Event(seq));
        }
    }

    private async Task RunFromAsync(long lastSeq, string? epoch = null)
    {
        _sequencer.EnqueueMessage(new Message { MsgId = FakeHost.MarkerId });
        _sequencer.Start(lastSeq, probeInterval: null, epoch);
        await _host.MarkerRaised.Task.WaitAsync(Patience);
    }

    private sealed class FakeHost : IEventSequencerHost
    {
        public const string MarkerId = "marker";

        public List<MultiDeviceEvent> Log { get; } = [];

        /// <summary>When set, every <c>SyncEvents</c> answers that the log no longer reaches back, and the server is at this seq.</summary>
        public long? ResyncTo { get; set; }

        /// <summary>When set, every <c>SyncEvents</c> fails with it.</summary>
        public Exception? SyncFailure { get; set; }

        public List<long> SyncedSince { get; } = [];

        /// <summary>The stream's epoch; a <c>SyncEvents</c> naming another answers <c>resyncRequired</c>.</summary>
        public string? Epoch { get; set; }

        public List<string?> SyncedEpochs { get; } = [];

        /// <summary>Every raised entry but the marker, as "kind seq".</summary>
        public List<string> RaisedInOrder { get; } = [];

        public List<Message> Messages { get; } = [];

        public List<ReadAck> Acks { get; } = [];

        public List<long> Raised { get; } = [];

        public List<SyncEventsResult> Resyncs { get; } = [];

        public List<Exception> Failures { get; } = [];

        public TaskCompletionSource MarkerRaised { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool IsConnected => true;

        public Task<SyncState> GetSyncStateAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new SyncState { LastSeq = ServerSeq });

        public Task<SyncEventsResult> SyncEventsAsync(SyncEventsRequest request, CancellationToken cancellationToken)
        {
            SyncedSince.Add(request.SinceSeq);
            SyncedEpochs.Add(request.Epoch);
            if (SyncFailure is { } failure)
            {
                return Task.FromException<SyncEventsResult>(failure);
            }

            if (ResyncTo is { } lastSeq)
            {
                return Task.FromResult(new SyncEventsResult { ResyncRequired = true, LastSeq = lastSeq });
            }

            if (Epoch is not null && request.Epoch is not null && request.Epoch != Epoch)
            {
                return Task.FromResult(new SyncEventsResult { ResyncRequired = true, LastSeq = ServerSeq, Epoch = Epoch });
            }

            var after = Log.Where(e => e.Seq > request.SinceSeq).OrderBy(e => e.Seq).ToList();
            var page = after.Take(request.Limit ?? 100).ToList();
            return Task.FromResult(new SyncEventsResult { Events = page, HasMore = page.Count < after.Count, LastSeq = ServerSeq });
        }

        public Task RaiseMessageAsync(Message message)
        {
            if (message.MsgId == MarkerId)
            {
                MarkerRaised.SetResult();
                return Task.CompletedTask;
            }

            Messages.Add(message);
            RaisedInOrder.Add($"message {message.Seq}");
            return Task.CompletedTask;
        }

        public Task RaiseEventAsync(MultiDeviceEvent evt)
        {
            Raised.Add(evt.Seq);
            RaisedInOrder.Add($"event {evt.Seq}");
            return Task.CompletedTask;
        }

        public Task RaiseReadAckAsync(ReadAck ack)
        {
            Acks.Add(ack);
            RaisedInOrder.Add($"ack {ack.Seq}");
            return Task.CompletedTask;
        }

        public Task RaiseResyncRequiredAsync(SyncEventsResult result)
        {
            Resyncs.Add(result);
            return Task.CompletedTask;
        }

        public Task RaiseCatchUpFailedAsync(Exception error)
        {
            Failures.Add(error);
            return Task.CompletedTask;
        }

        private long ServerSeq => Log.Count == 0 ? 0 : Log.Max(e => e.Seq);
    }
}
