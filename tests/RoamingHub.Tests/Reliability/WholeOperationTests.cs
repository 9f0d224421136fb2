using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;
using RoamingHub.Tests.Storage;
using StackExchange.Redis;

namespace RoamingHub.Tests.Reliability;

/// <summary>
/// Operations that stay whole when they fail midway: a call whose change was made but whose answer was lost is not
/// made again by its retry, and a call that stopped between its steps is finished by its retry. Faults are real: the
/// node's redis-server is paused (SIGSTOP) right after the final script was sent, so the call times out and the script
/// runs once the server goes on; or a user key is given the wrong type, so Redis refuses a step with WRONGTYPE.
/// </summary>
public sealed class WholeOperationTests
{
    private static readonly string Prefix = TestIds.Prefix();

    [Fact]
    public async Task A_mark_all_read_whose_answer_was_lost_is_logged_once_and_its_retry_gets_the_answer_the_first_call_would_have()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var bobPhone = await setup.Node.ConnectAsync(bob, "phone");
        await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "unread" });
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        await using var laptop = await setup.Node.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new MarkAllConversationsReadRequest { ClientOpId = "op-" + Guid.NewGuid().ToString("N") };

        await setup.LoseTheAnswerAsync("mark_all_conversations_read.lua", () => phone.MarkAllConversationsReadAsync(request), alice, seqBefore + 1);
        var retry = await RetryWhileUnavailableAsync(() => phone.MarkAllConversationsReadAsync(request));
        // The first call never pushed; the retry did, so the other device learns it without asking. Waited for before
        // the laptop repeats the call, whose answer counts the seq as the laptop's own (a later push is a duplicate).
        var told = await onLaptop.WaitForEventsAsync(1);
        var third = await laptop.MarkAllConversationsReadAsync(request);

        var log = (await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seqBefore })).Events;
        var logged = Assert.Single(log);
        Assert.Equal((MultiDeviceOperations.AllConversationsRead, seqBefore + 1), (logged.Operation, logged.Seq));
        Assert.Equal((logged.Seq, logged.ReadTimestamp), (retry.Seq, retry.ReadTimestamp));
        Assert.Equal(JsonSerializer.Serialize(retry), JsonSerializer.Serialize(third));
        Assert.Equal(0, (await phone.GetUnreadSummaryAsync()).TotalUnread);
        Assert.Equal([(MultiDeviceOperations.AllConversationsRead, seqBefore + 1)], told.Select(e => (e.Operation, e.Seq)));
    }

    [Fact]
    public async Task A_conversation_deletion_whose_answer_was_lost_answers_its_retry_instead_of_NOT_FOUND()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var bobPhone = await setup.Node.ConnectAsync(bob, "phone");
        await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "hi" });
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new DeleteRemoteConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, ClientOpId = "op-" + Guid.NewGuid().ToString("N") };

        await setup.LoseTheAnswerAsync("delete_remote_conversation.lua", () => phone.DeleteRemoteConversationAsync(request), alice, seqBefore + 1);
        var retry = await RetryWhileUnavailableAsync(() => phone.DeleteRemoteConversationAsync(request));
        var third = await phone.DeleteRemoteConversationAsync(request);

        Assert.Equal((true, seqBefore + 1), (retry.DeleteRoam, retry.Seq));
        Assert.Equal(JsonSerializer.Serialize(retry), JsonSerializer.Serialize(third));
        Assert.Equal([MultiDeviceOperations.ConversationDeleted], (await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seqBefore })).Events.Select(e => e.Operation));
        Assert.Empty((await phone.FetchConversationsAsync()).Data);
    }

    [Fact]
    public async Task A_deletion_by_time_whose_answer_was_lost_hides_nothing_more_on_its_retry_though_messages_came_since()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var bobPhone = await setup.Node.ConnectAsync(bob, "phone");
        var before = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "before" });
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new DeleteRemoteMessagesBeforeRequest
        {
            ConversationId = bob, ChatType = ChatTypes.SingleChat, Timestamp = long.MaxValue / 2, ClientOpId = "op-" + Guid.NewGuid().ToString("N"),
        };

        await setup.LoseTheAnswerAsync("apply_hidden_messages.lua", () => phone.DeleteRemoteMessagesBeforeAsync(request), alice, seqBefore + 1);
        var after = await RetryWhileUnavailableAsync(() => bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "after" }));
        var retry = await RetryWhileUnavailableAsync(() => phone.DeleteRemoteMessagesBeforeAsync(request));

        // The retry answers what the first call hid; the message stored since stays visible, last and unread, as the
        // watermark (which stops at the chat's newest message) was not raised again past it.
        Assert.Equal((before.Timestamp, seqBefore + 1), (retry.BeforeTimestamp, retry.Seq));
        var history = await phone.FetchHistoryMessagesAsync(new FetchHistoryMessagesRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat });
        Assert.Equal([after.MsgId], history.Data.Select(m => m.MsgId));
        var conversation = Assert.Single((await phone.FetchConversationsAsync()).Data);
        Assert.Equal((after.MsgId, 1), (conversation.LastMessage?.MsgId, conversation.UnreadCount));
    }

    [Fact]
    public async Task A_pin_whose_answer_was_lost_answers_its_retry_with_the_event_and_pin_time_it_logged()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new PinConversationRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, IsPinned = true, ClientOpId = "op-" + Guid.NewGuid().ToString("N") };

        await setup.LoseTheAnswerAsync("pin_conversation.lua", () => phone.PinConversationAsync(request), alice, seqBefore + 1);
        var retry = await RetryWhileUnavailableAsync(() => phone.PinConversationAsync(request));

        var logged = Assert.Single((await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seqBefore })).Events);
        Assert.Equal((true, logged.Seq, logged.PinnedTime), (retry.IsPinned, retry.Seq, retry.PinnedTime));
    }

    [Fact]
    public async Task A_change_of_marks_whose_answer_was_lost_answers_its_retry_with_the_marks_and_event_it_logged()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hi" });
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        var request = new SetConversationMarksRequest { ConversationId = bob, ChatType = ChatTypes.SingleChat, Add = [4], ClientOpId = "op-" + Guid.NewGuid().ToString("N") };

        await setup.LoseTheAnswerAsync("set_conversation_marks.lua", () => phone.SetConversationMarksAsync(request), alice, seqBefore + 1);
        var retry = await RetryWhileUnavailableAsync(() => phone.SetConversationMarksAsync(request));

        var logged = Assert.Single((await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seqBefore })).Events);
        Assert.Equal((MultiDeviceOperations.ConversationMarksUpdated, logged.Seq), (logged.Operation, retry.Seq!.Value));
        Assert.Equal([4], logged.Marks!);
        Assert.Equal([4], retry.Marks);
    }

    [Fact]
    public async Task A_timed_mute_whose_answer_was_lost_answers_its_retry_with_the_kept_reply_once_the_mute_has_ended()
    {
        await using var setup = await PausedScriptSetup.StartAsync();
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var phone = await setup.Node.ConnectAsync(alice, "phone");
        await phone.SendMessageAsync(new SendMessageRequest { To = bob, ChatType = ChatTypes.SingleChat, Body = "hi" });
        var seqBefore = (await phone.GetSyncStateAsync()).LastSeq;
        // Far enough ahead for the first attempt on a busy machine; the retry comes only once it has passed.
        var until = DateTimeOffset.UtcNow.AddSeconds(8).ToUnixTimeMilliseconds();
        var request = new SetConversationMutedRequest
        {
            ConversationId = bob, ChatType = ChatTypes.SingleChat, Muted = true, MutedUntil = until, ClientOpId = "op-" + Guid.NewGuid().ToString("N"),
        };

        await setup.LoseTheAnswerAsync("set_conversation_muted.lua", () => phone.SetConversationMutedAsync(request), alice, seqBefore + 1);
        while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= until)
        {
            await Task.Delay(100);
        }

        var retry = await RetryWhileUnavailableAsync(() => phone.SetConversationMutedAsync(request));

        var logged = Assert.Single((await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = seqBefore })).Events);
        Assert.Equal((MultiDeviceOperations.ConversationMuted, logged.Seq, (long?)until), (logged.Operation, retry.Seq!.Value, logged.MutedUntil));
        Assert.Equal((true, (long?)until), (retry.Muted, retry.MutedUntil));
    }

    [Fact]
    public async Task A_deletion_by_id_that_failed_between_its_steps_is_finished_by_its_retry_and_reaches_the_other_devices()
    {
        using var redis = ConnectionMultiplexer.Connect(RedisServer.Instance.ConnectionString);
        await using var node = RoamingNode.OnRedis(Prefix);
        var keys = new RedisKeys(Prefix);
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await using var bobPhone = await node.ConnectAsync(bob, "phone");
        var first = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "first" });
        var second = await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "second" });
        await using var phone = await node.ConnectAsync(alice, "phone");
        await using var laptop = await node.ConnectAsync(alice, "laptop");
        var onLaptop = new Recorder(laptop);
        var request = new DeleteRemoteMessagesWithIdsRequest
        {
            ConversationId = bob, ChatType = ChatTypes.SingleChat, MsgIds = [second.MsgId], ClientOpId = "op-" + Guid.NewGuid().ToString("N"),
        };

        // The user step's first command reads Alice's last messages: with that key a string, Redis refuses the step
        // before it writes anything, after the chat step hid the message.
        var last = keys.LastMessages(alice);
        var saved = (await redis.GetDatabase().KeyDumpAsync(last))!;
        var ttl = await redis.GetDatabase().KeyTimeToLiveAsync(last);
        await redis.GetDatabase().StringSetAsync(last, "not a hash");
        await Assert.ThrowsAsync<HubException>(() => phone.DeleteRemoteMessagesWithIdsAsync(request));
        await redis.GetDatabase().KeyDeleteAsync(last);
        await redis.GetDatabase().KeyRestoreAsync(last, saved, ttl);

        var retry = await phone.DeleteRemoteMessagesWithIdsAsync(request);
        // Waited for before the laptop repeats the call: the repeat's answer counts its seq as the laptop's own, so a
        // push still on its way then would be dropped as a duplicate.
        var told = Assert.Single(await onLaptop.WaitForEventsAsync(1));
        var third = await laptop.DeleteRemoteMessagesWithIdsAsync(request);

        Assert.Equal([second.MsgId], retry.MsgIds);
        Assert.Equal(JsonSerializer.Serialize(retry), JsonSerializer.Serialize(third));
        var entry = Assert.Single((await phone.FetchConversationsAsync()).Data);
        Assert.Equal((first.MsgId, 1), (entry.LastMessage?.MsgId, entry.UnreadCount));
        Assert.Equal(1, (await phone.GetUnreadSummaryAsync()).TotalUnread);
        Assert.Equal((MultiDeviceOperations.DeleteRoaming, retry.Seq), (told.Operation, (long?)told.Seq));
        Assert.Equal([second.MsgId], told.MsgIds);
    }

    [Fact]
    public async Task A_message_that_reaches_the_user_while_mark_all_read_is_under_way_is_read_with_the_rest()
    {
        await using var tap = new RedisTap(RedisServer.Instance);
        await using var node = new RoamingNode(new Dictionary<string, string?> { ["ConnectionStrings:Redis"] = tap.ConnectionString, ["Roaming:RedisKeyPrefix"] = Prefix });
        using var direct = ConnectionMultiplexer.Connect(RedisServer.Instance.ConnectionString);
        var elsewhere = Stores.Redis(direct, new RoamingOptions { RedisKeyPrefix = Prefix });
        var (alice, bob, carol) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"));
        await using var bobPhone = await node.ConnectAsync(bob, "phone");
        await bobPhone.SendMessageAsync(new SendMessageRequest { To = alice, ChatType = ChatTypes.SingleChat, Body = "before" });
        await using var phone = await node.ConnectAsync(alice, "phone");

        // Carol's message reaches Alice after the call listed her conversations with unread messages, before its
        // script runs: the race between a send on another node and the call, made certain.
        var sent = tap.WhenSent(RedisTap.Hex(RedisScript.Get("mark_all_conversations_read.lua").Hash), () => elsewhere.Messages.SendMessageAsync(
            new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, carol, alice, "text", "meanwhile", null),
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), true, default).AsTask());
        var read = await phone.MarkAllConversationsReadAsync();
        await sent;

        Assert.Equal(0, (await phone.GetUnreadSummaryAsync()).TotalUnread);
        Assert.All((await phone.FetchConversationsAsync()).Data, c => Assert.Equal(0, c.UnreadCount));
        var log = (await phone.SyncEventsAsync(new SyncEventsRequest { SinceSeq = 0 })).Events;
        Assert.Equal(read.Seq, log.Single(e => e.Operation == MultiDeviceOperations.AllConversationsRead).Seq);
        Assert.All(log.Where(e => e.Operation == MultiDeviceOperations.Message), e => Assert.True(e.Seq < read.Seq));
    }

    private static async Task<T> RetryWhileUnavailableAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (HubException e) when (e.Message.StartsWith(ErrorCodes.Unavailable, StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A node on a redis-server of its own, behind a <see cref="RedisTap"/>, with a short store timeout.</summary>
    private sealed class PausedScriptSetup : IAsyncDisposable
    {
        private readonly RedisServer _redis;
        private readonly RedisTap _tap;
        private readonly ConnectionMultiplexer _direct;

        private PausedScriptSetup(RedisServer redis, RedisTap tap, ConnectionMultiplexer direct, RoamingNode node)
        {
            (_redis, _tap, _direct, Node) = (redis, tap, direct, node);
        }

        public RoamingNode Node { get; }

        public static Task<PausedScriptSetup> StartAsync()
        {
            var redis = RedisServer.StartDedicated(durable: false);
            var tap = new RedisTap(redis);
            var node = new RoamingNode(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Redis"] = tap.ConnectionString,
                ["Roaming:RedisKeyPrefix"] = Prefix,
                ["Roaming:StoreTimeout"] = "00:00:01",
            });
            return Task.FromResult(new PausedScriptSetup(redis, tap, ConnectionMultiplexer.Connect(redis.ConnectionString), node));
        }

        /// <summary>
        /// Pauses Redis as <paramref name="script"/> is sent, so <paramref name="call"/> fails with <c>UNAVAILABLE</c>;
        /// then lets Redis go on and waits until the script ran: the user's stream reached <paramref name="seq"/>.
        /// </summary>
        public async Task LoseTheAnswerAsync<T>(string script, Func<Task<T>> call, string userId, long seq)
        {
            var paused = _tap.WhenSent(RedisTap.Hex(RedisScript.Get(script).Hash), () =>
            {
                _redis.Pause();
                return Task.CompletedTask;
            });
            try
            {
                var failure = await Assert.ThrowsAsync<HubException>(() => call());
                Assert.StartsWith(ErrorCodes.Unavailable, failure.Message, StringComparison.Ordinal);
                await paused;
            }
            finally
            {
                _redis.Resume();
            }

            var key = new RedisKeys(Prefix).EventSeq(userId);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((long?)await _direct.GetDatabase().StringGetAsync(key) != seq)
            {
                Assert.True(DateTime.UtcNow < deadline, $"The paused script never ran: the stream did not reach seq {seq}.");
                await Task.Delay(20);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _redis.Resume();
            await Node.DisposeAsync();
            await _tap.DisposeAsync();
            await _direct.DisposeAsync();
            _redis.Dispose();
        }
    }
}
