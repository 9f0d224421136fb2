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

    private static MultiDeviceEvent Event(long seq) =>
        new() { Seq = seq, Operation = MultiDeviceOperations.ConversationPinned, ConversationId = $"c{seq}" };

    /// <summary>Live pushes from other devices, in the order they arrive.</summary>
    private void Push(params long[] seqs)
    {
        foreach (var seq in seqs)
        {
            _sequencer.EnqueueEvent(Event(seq));
        }
    }

    private async Task RunFromAsync(long lastSeq)
    {
        _sequencer.EnqueueMessage(new Message { MsgId = FakeHost.MarkerId });
        _sequencer.Start(lastSeq, probeInterval: null);
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
            if (SyncFailure is { } failure)
            {
                return Task.FromException<SyncEventsResult>(failure);
            }

            if (ResyncTo is { } lastSeq)
            {
                return Task.FromResult(new SyncEventsResult { ResyncRequired = true, LastSeq = lastSeq });
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
            }

            return Task.CompletedTask;
        }

        public Task RaiseEventAsync(MultiDeviceEvent evt)
        {
            Raised.Add(evt.Seq);
            return Task.CompletedTask;
        }

        public Task RaiseReadAckAsync(ReadAck ack) => Task.CompletedTask;

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
