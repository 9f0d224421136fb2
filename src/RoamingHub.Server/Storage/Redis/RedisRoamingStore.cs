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
    /// <summary>Most entries one history call walks past (hidden ones included) before it hands back a cursor.</summary>
    private const int HistoryScanCap = 1000;

    private readonly RoamingOptions _options = options.Value;
    private readonly RedisKeys _keys = new(options.Value.RedisKeyPrefix);

    private IDatabase Db => redis.GetDatabase();

    public async ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        var blob = RedisProtocol.WriteMessage(new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body));
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.StoreMessage,
            [
                _keys.Messages(draft.From, draft.To),
                _keys.MessageBodies(draft.From, draft.To),
                _keys.MessageClock(draft.From, draft.To),
                _keys.ClientMsgId(draft.From, draft.To, draft.ClientMsgId ?? ""),
                _keys.Watermarks(draft.From, draft.To),
                _keys.Hidden(draft.From, draft.To, draft.From),
                _keys.Hidden(draft.From, draft.To, draft.To),
            ],
            [
                draft.MsgId,
                Number(now),
                blob,
                draft.ClientMsgId is null ? "" : Number((long)_options.IdempotencyWindow.TotalMilliseconds),
                Number(RetentionFloor(now)),
                Number(ConversationKeyLifetime),
            ]).ConfigureAwait(false))!;

        var duplicate = (long)result[0] == 1;
        var position = (long)result[2];
        if (duplicate)
        {
            blob = (byte[])result[3]!;
        }

        var message = RedisProtocol.ReadMessage(blob, position);
        if (!updateConversations)
        {
            return new SendOutcome(message, duplicate);
        }

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

    public async ValueTask<ConversationPage> FetchConversationsAsync(string userId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
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
            [cursor is null ? "start" : "continue", offset, pageSize, (long)_options.ListCursorLifetime.TotalMilliseconds, Number(RetentionFloor(now))])
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

    public async ValueTask<HistoryPage> FetchHistoryAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        var peer = conversation.Id;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.FetchHistory,
            [_keys.Messages(userId, peer), _keys.MessageBodies(userId, peer), _keys.Watermarks(userId, peer), _keys.Hidden(userId, peer, userId)],
            [userId, query.Older ? "up" : "down", query.Cursor ?? "", query.PageSize, Number(RetentionFloor(now)), HistoryScanCap])
            .ConfigureAwait(false))!;

        if ((long)result[0] == -1)
        {
            throw RoamingException.InvalidArgument("cursor is not a message of this conversation.");
        }

        var items = new List<StoredMessage>((result.Length - 2) / 3);
        for (var i = 2; i + 2 < result.Length; i += 3)
        {
            items.Add(RedisProtocol.ReadMessage((byte[])result[i + 2]!, (long)result[i + 1]));
        }

        return new HistoryPage(items, result[1].IsNull ? null : (string?)result[1]);
    }

    public async ValueTask<HideOutcome> HideMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        var hidden = await HideAsync(userId, conversation, "before", MessagePosition.LastOf(beforeTimestamp), [], now).ConfigureAwait(false);
        var applied = MessagePosition.TimestampOf(hidden.Watermark);
        var template = hidden.Moved ? Event(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = applied } : null;
        var seq = await ApplyHideAsync(userId, conversation, hidden, template).ConfigureAwait(false);
        return new HideOutcome(applied, null, template is null ? null : template with { Seq = seq });
    }

    public async ValueTask<HideOutcome> HideMessagesAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken)
    {
        var hidden = await HideAsync(userId, conversation, "ids", 0, msgIds, now).ConfigureAwait(false);
        var template = hidden.Ids.Count > 0 ? Event(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = hidden.Ids } : null;
        var seq = await ApplyHideAsync(userId, conversation, hidden, template).ConfigureAwait(false);
        return new HideOutcome(null, hidden.Ids, template is null ? null : template with { Seq = seq });
    }

    public async ValueTask<MultiDeviceEvent> DeleteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken)
    {
        // Three steps, because the list lives under the user's hash tag and the history under the conversation's:
        // check, hide the history, then remove and log. Each step is atomic and a retry repeats them harmlessly.
        if (await Db.SortedSetScoreAsync(_keys.Conversations(userId), conversation.Member).ConfigureAwait(false) is null)
        {
            throw RoamingException.NotFound("The conversation is not in this user's list.");
        }

        if (deleteRoam)
        {
            await HideAsync(userId, conversation, "all", 0, [], now).ConfigureAwait(false);
        }

        var template = Event(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam };
        var seq = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.DeleteConversation,
            [
                _keys.Conversations(userId), _keys.Pins(userId), _keys.Created(userId), _keys.LastMessages(userId),
                _keys.EventSeq(userId), _keys.Events(userId),
            ],
            [conversation.Member, _options.EventLogLength, RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return seq == -1
            ? throw RoamingException.NotFound("The conversation is not in this user's list.")
            : template with { Seq = seq };
    }

    private async Task<HideResult> HideAsync(string userId, ConversationRef conversation, string mode, long watermark, IReadOnlyList<string> msgIds, long now)
    {
        var peer = conversation.Id;
        RedisValue[] args =
        [
            userId, mode, Number(watermark), Number(RetentionFloor(now)), Number(ConversationKeyLifetime), HistoryScanCap,
            .. msgIds.Select(id => (RedisValue)id),
        ];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.HideMessages,
            [
                _keys.Messages(userId, peer), _keys.MessageBodies(userId, peer), _keys.Watermarks(userId, peer),
                _keys.Hidden(userId, peer, userId), _keys.MessageClock(userId, peer),
            ],
            args).ConfigureAwait(false))!;

        var count = (int)result[4];
        return new HideResult(
            Watermark: (long)result[0],
            Moved: (long)result[1] == 1,
            Newest: result[2].IsNull ? null : RedisProtocol.WritePositionedMessage((long)result[2], (byte[])result[3]!),
            Ids: [.. result.Skip(5).Take(count).Select(r => (string)r!)],
            Positions: [.. result.Skip(5 + count).Take(count).Select(r => (long)r)]);
    }

    private async Task<long> ApplyHideAsync(string userId, ConversationRef conversation, HideResult hidden, MultiDeviceEvent? template)
    {
        RedisValue[] args =
        [
            conversation.Member, Number(hidden.Watermark), hidden.Newest ?? RedisValue.EmptyString, _options.EventLogLength,
            template is null ? RedisValue.EmptyString : RedisProtocol.WriteEvent(template),
            .. hidden.Positions.Select(p => (RedisValue)Number(p)),
        ];
        return (long)await Db.ScriptEvaluateAsync(
            RedisScripts.ApplyHide,
            [_keys.LastMessages(userId), _keys.EventSeq(userId), _keys.Events(userId)],
            args).ConfigureAwait(false);
    }

    private static MultiDeviceEvent Event(string operation, ConversationRef conversation, string deviceId, long now) => new()
    {
        Operation = operation,
        ConversationId = conversation.Id,
        ChatType = conversation.ChatType,
        Timestamp = now,
        FromDeviceId = deviceId,
    };

    private long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, _options.MessageRetentionDays);

    /// <summary>A conversation's keys outlive its newest message by a day, then expire by themselves.</summary>
    private long ConversationKeyLifetime => (long)TimeSpan.FromDays(_options.MessageRetentionDays + 1).TotalMilliseconds;

    private sealed record HideResult(long Watermark, bool Moved, byte[]? Newest, IReadOnlyList<string> Ids, IReadOnlyList<long> Positions);

    private static RedisValue Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
