using System.Globalization;
using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Hosting;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// The Redis store. Every call is a constant number of round trips, independent of page sizes: one script for each
/// user-side step, and for a message one script on the conversation then one pipelined batch for both participants.
/// Keys and scripts live in <see cref="RedisKeys"/> and <see cref="RedisScripts"/>.
/// </summary>
internal sealed class RedisRoamingStore(IConnectionMultiplexer redis, IOptions<RoamingOptions> options) : IRoamingStore
{
    private readonly RoamingOptions _options = options.Value;
    private readonly RedisKeys _keys = new(options.Value.RedisKeyPrefix);

    private IDatabase Db => redis.GetDatabase();

    public async ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, CancellationToken cancellationToken)
    {
        var retention = (long)TimeSpan.FromDays(_options.MessageRetentionDays).TotalMilliseconds;
        var blob = RedisProtocol.WriteMessage(new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body));
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.StoreMessage,
            [
                _keys.Messages(draft.From, draft.To),
                _keys.MessageBodies(draft.From, draft.To),
                _keys.MessageClock(draft.From, draft.To),
                _keys.ClientMsgId(draft.From, draft.To, draft.ClientMsgId ?? ""),
            ],
            [
                draft.MsgId,
                Number(now),
                blob,
                draft.ClientMsgId is null ? "" : Number((long)_options.IdempotencyWindow.TotalMilliseconds),
                Number((now - retention) * MessagePosition.PerMillisecond),
                Number(retention + (long)TimeSpan.FromDays(1).TotalMilliseconds),
            ]).ConfigureAwait(false))!;

        var duplicate = (long)result[0] == 1;
        var position = (long)result[2];
        if (duplicate)
        {
            blob = (byte[])result[3]!;
        }

        var message = RedisProtocol.ReadMessage(blob, position);
        var positioned = RedisProtocol.WritePositionedMessage(position, blob);

        // A repeat runs this step again too: it only moves things forward, so it heals a send whose first attempt
        // stopped after storing the message.
        var batch = Db.CreateBatch();
        var touches = new[] { message.From, message.To }.Distinct(StringComparer.Ordinal)
            .Select(user => batch.ScriptEvaluateAsync(
                RedisScripts.TouchConversation,
                [_keys.Conversations(user), _keys.Pins(user), _keys.Created(user), _keys.LastMessages(user)],
                [
                    message.ConversationFor(user).Member,
                    Number(message.Timestamp),
                    Number(position),
                    positioned,
                    _options.MaxConversationsPerUser,
                ]))
            .ToList();
        batch.Execute();
        await Task.WhenAll(touches).ConfigureAwait(false);
        return new SendOutcome(message, duplicate);
    }

    public async ValueTask<PinOutcome> SetPinnedAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = new MultiDeviceEvent
        {
            Operation = pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned,
            ConversationId = conversation.Id,
            ChatType = conversation.ChatType,
            Timestamp = now,
            FromDeviceId = deviceId,
            PinnedTime = pinned ? now : null,
        };
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.SetPinned,
            [
                _keys.Conversations(userId), _keys.Pins(userId), _keys.Created(userId), _keys.LastMessages(userId),
                _keys.EventSeq(userId), _keys.Events(userId),
            ],
            [
                conversation.Member, pinned ? "1" : "0", Number(now), _options.MaxPinnedConversations,
                _options.MaxConversationsPerUser, _options.EventLogLength, RedisProtocol.WriteEvent(template),
            ]).ConfigureAwait(false))!;

        return (long)result[0] switch
        {
            -1 => throw new RoamingException(ErrorCodes.PinLimitExceeded, $"At most {_options.MaxPinnedConversations} conversations can be pinned."),
            0 => new PinOutcome(pinned, result[1].IsNull ? null : (long)result[1], Event: null),
            _ => new PinOutcome(pinned, pinned ? now : null, template with { Seq = (long)result[1] }),
        };
    }

    public async ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, CancellationToken cancellationToken)
    {
        var snapshotId = cursor?.SnapshotId ?? ListCursor.NewSnapshotId();
        var offset = cursor?.Offset ?? 0;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.FetchConversations,
            [
                list == ConversationList.Pinned ? _keys.Pins(userId) : _keys.Conversations(userId),
                _keys.Conversations(userId), _keys.Pins(userId), _keys.Created(userId), _keys.LastMessages(userId),
                _keys.Snapshot(userId, snapshotId),
            ],
            [cursor is null ? "start" : "continue", offset, pageSize, (long)_options.ListCursorLifetime.TotalMilliseconds])
            .ConfigureAwait(false))!;

        if ((long)result[0] == -1)
        {
            throw ListCursor.Expired();
        }

        var items = new List<ConversationEntry>((result.Length - 1) / 5);
        for (var i = 1; i + 4 < result.Length; i += 5)
        {
            items.Add(new ConversationEntry(
                ConversationRef.FromMember((string)result[i]!),
                ActivityTime: (long)result[i + 1],
                CreatedTime: (long)result[i + 2],
                PinnedTime: result[i + 3].IsNull ? null : (long)result[i + 3],
                LastMessage: result[i + 4].IsNull ? null : RedisProtocol.ReadPositionedMessage((byte[])result[i + 4]!)));
        }

        var next = (long)result[0] == 1 ? new ListCursor(list, snapshotId, offset + pageSize) : null;
        return new ConversationPage(items, next);
    }

    public async ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        var value = await Db.StringGetAsync(_keys.EventSeq(userId)).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public async ValueTask<SyncEventsResult> ReadEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.ReadEvents,
            [_keys.EventSeq(userId), _keys.Events(userId)],
            [sinceSeq, limit]).ConfigureAwait(false))!;

        var lastSeq = (long)result[0];
        if ((long)result[1] == 1)
        {
            return new SyncEventsResult { LastSeq = lastSeq, ResyncRequired = true };
        }

        var events = new List<MultiDeviceEvent>(result.Length - 2);
        for (var i = 2; i < result.Length; i++)
        {
            events.Add(RedisProtocol.ReadLoggedEvent((byte[])result[i]!));
        }

        return new SyncEventsResult
        {
            Events = events,
            LastSeq = lastSeq,
            HasMore = events.Count > 0 && events[^1].Seq < lastSeq,
        };
    }

    public async ValueTask<bool> TryAddConnectionAsync(string userId, string connectionId, long now, CancellationToken cancellationToken)
    {
        var timeout = (long)_options.PresenceTimeout.TotalMilliseconds;
        var admitted = await Db.ScriptEvaluateAsync(
            RedisScripts.AddConnection,
            [_keys.Connections(userId)],
            [connectionId, Number(now), Number(now - timeout), _options.MaxConnectionsPerUser, Number(timeout * 2)]).ConfigureAwait(false);
        return (long)admitted == 1;
    }

    public async ValueTask RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        await Db.SortedSetRemoveAsync(_keys.Connections(userId), connectionId).ConfigureAwait(false);

    public async ValueTask RefreshConnectionsAsync(IReadOnlyCollection<(string UserId, string ConnectionId)> connections, long now, CancellationToken cancellationToken)
    {
        var expiry = TimeSpan.FromMilliseconds(_options.PresenceTimeout.TotalMilliseconds * 2);
        var batch = Db.CreateBatch();
        var pending = new List<Task>(connections.Count * 2);
        foreach (var (userId, connectionId) in connections)
        {
            var key = _keys.Connections(userId);
            pending.Add(batch.SortedSetAddAsync(key, connectionId, now, SortedSetWhen.Exists));
            pending.Add(batch.KeyExpireAsync(key, expiry));
        }

        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    public async ValueTask<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Db.PingAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RedisException)
        {
            return false;
        }
    }

    private static RedisValue Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
