using System.Globalization;
using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Settings;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// The Redis store. Every call is a constant number of round trips, independent of page sizes: one script for
/// each user-side step; a message is one script on its chat, then one pipelined batch for its participants.
/// Steps that span a chat and a user (deletions, reads, groups) run chat side first, then user side; each step is
/// atomic and safe to repeat. Keys and scripts live in <see cref="RedisKeys"/> and <see cref="RedisScripts"/>.
/// </summary>
internal sealed class RedisRoamingStore(IConnectionMultiplexer redis, IOptions<RoamingOptions> options)
    : IMessageStore, IConversationStore, IGroupStore, IEventLog, IPresenceStore, IOperationStore
{
    /// <summary>Most entries one history call walks past (hidden ones included) before it hands back a cursor.</summary>
    private const int HistoryScanCap = 1000;

    private readonly RoamingOptions _options = options.Value;
    private readonly RedisKeys _keys = new(options.Value.RedisKeyPrefix);

    private IDatabase Db => redis.GetDatabase();

    /// <summary>A chat's keys outlive its newest message by a day, then expire by themselves.</summary>
    private long ChatKeyLifetime => (long)TimeSpan.FromDays(_options.MessageRetentionDays + 1).TotalMilliseconds;

    public async ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        var conversation = new ConversationRef(draft.ChatType, draft.To);
        var chat = conversation.ChatKey(draft.From);
        var blob = EncodedMessage.Encode(new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body));
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.StoreMessage,
            [
                _keys.Messages(chat), _keys.MessageBodies(chat), _keys.MessageClock(chat), _keys.ClientMsgId(chat, draft.From, draft.ClientMsgId ?? ""),
                _keys.Hidden(chat, draft.From), _keys.Hidden(chat, conversation.IsGroup ? draft.From : draft.To),
                _keys.GroupMembers(chat),
            ],
            [
                draft.MsgId, Number(now), blob,
                draft.ClientMsgId is null ? "" : Number((long)_options.IdempotencyWindow.TotalMilliseconds),
                Number(RetentionFloor(now)), Number(ChatKeyLifetime), draft.From, conversation.IsGroup ? "1" : "0",
            ]).ConfigureAwait(false))!;

        if ((long)result[0] == -2)
        {
            throw StoreErrors.NotAMember(draft.To);
        }

        var duplicate = (long)result[0] == 1;
        var position = (long)result[2];
        if (duplicate)
        {
            blob = (byte[])result[3]!;
        }

        var message = EncodedMessage.Read(blob, position).Decode();
        if (!updateConversations)
        {
            return new SendOutcome(message, duplicate);
        }

        // A repeat runs this step again too: it only moves things forward and counts by msgId, so it heals a send
        // whose first attempt stopped after storing the message.
        var participants = conversation.IsGroup ? result.Skip(4).Select(r => (string)r!) : [draft.From, draft.To];
        var positioned = RedisProtocol.WritePositionedMessage(position, blob);
        var batch = Db.CreateBatch();
        var touches = participants
            .Select(user =>
            {
                var member = message.ConversationFor(user).Member;
                return batch.ScriptEvaluateAsync(
                    RedisScripts.TouchConversation,
                    _keys.UserScriptKeys(user, member),
                    [
                        member, Number(message.Timestamp), Number(position), positioned, _options.MaxConversationsPerUser,
                        user == draft.From ? "0" : "1", message.MsgId, Number(RetentionFloor(now)), Number(ChatKeyLifetime),
                    ]);
            })
            .ToList();
        batch.Execute();
        await Task.WhenAll(touches).ConfigureAwait(false);
        return new SendOutcome(message, duplicate);
    }

    public async ValueTask<PinOutcome> PinConversationAsync(string userId, ConversationRef conversation, bool pinned, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(pinned ? MultiDeviceOperations.ConversationPinned : MultiDeviceOperations.ConversationUnpinned, conversation, deviceId, now)
            with { PinnedTime = pinned ? now : null };
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.SetPinned,
            _keys.UserScriptKeys(userId, conversation.Member),
            [
                conversation.Member, pinned ? "1" : "0", Number(now), _options.MaxPinnedConversations,
                _options.MaxConversationsPerUser, _options.EventLogLength, RedisProtocol.WriteEvent(template),
                conversation.IsGroup ? conversation.Id : "",
            ]).ConfigureAwait(false))!;

        return (long)result[0] switch
        {
            -1 => throw StoreErrors.PinLimit(_options.MaxPinnedConversations),
            -2 => throw StoreErrors.NotAMember(conversation.Id),
            0 => new PinOutcome(pinned, result[1].IsNull ? null : (long)result[1], Event: null),
            _ => new PinOutcome(pinned, pinned ? now : null, template with { Seq = (long)result[1] }),
        };
    }

    public async ValueTask<ConversationPage> FetchConversationsAsync(string userId, string deviceId, ConversationList list, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        var snapshotId = cursor?.SnapshotId ?? ListCursor.NewSnapshotId();
        var offset = cursor?.Offset ?? 0;
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.FetchConversations,
            _keys.UserScriptKeys(userId, extra: _keys.Snapshot(userId, list == ConversationList.Pinned ? "p" : "a", deviceId)),
            [
                cursor is null ? "start" : "continue", offset, pageSize, (long)_options.ListCursorLifetime.TotalMilliseconds,
                Number(RetentionFloor(now)), list == ConversationList.Pinned ? "pins" : "convs", snapshotId,
            ]).ConfigureAwait(false))!;

        if ((long)result[0] == -1)
        {
            throw ListCursor.Expired();
        }

        const int Fields = 8;
        var items = new List<ConversationEntry>((result.Length - 1) / Fields);
        for (var i = 1; i + Fields - 1 < result.Length; i += Fields)
        {
            items.Add(new ConversationEntry(
                ConversationRef.FromMember((string)result[i]!),
                ActivityTime: (long)result[i + 1],
                CreatedTime: (long)result[i + 2],
                PinnedTime: result[i + 3].IsNull ? null : (long)result[i + 3],
                LastMessage: result[i + 4].IsNull ? null : RedisProtocol.ReadPositionedMessage((byte[])result[i + 4]!),
                UnreadCount: (int)result[i + 5],
                PeerReadTimestamp: result[i + 6].IsNull ? null : (long)result[i + 6],
                Ext: result[i + 7].IsNull ? null : (string?)result[i + 7]));
        }

        var next = (long)result[0] == 1 ? new ListCursor(list, snapshotId, offset + pageSize) : null;
        return new ConversationPage(items, next);
    }

    public async ValueTask<HistoryPage> FetchHistoryMessagesAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        var chat = conversation.ChatKey(userId);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.FetchHistory,
            [_keys.Messages(chat), _keys.MessageBodies(chat), _keys.Watermarks(chat), _keys.Hidden(chat, userId), _keys.GroupMembers(chat)],
            [userId, query.Older ? "up" : "down", query.Cursor ?? "", query.PageSize, Number(RetentionFloor(now)), HistoryScanCap, conversation.IsGroup ? "1" : "0"])
            .ConfigureAwait(false))!;

        switch ((long)result[0])
        {
            case -2:
                throw StoreErrors.NotAMember(conversation.Id);
            case -1:
                throw StoreErrors.UnknownHistoryCursor();
        }

        var items = new List<EncodedMessage>((result.Length - 2) / 2);
        for (var i = 2; i + 1 < result.Length; i += 2)
        {
            items.Add(EncodedMessage.Read((byte[])result[i + 1]!, (long)result[i]));
        }

        return new HistoryPage(items, result[1].IsNull ? null : (string?)result[1]);
    }

    public async ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        var hidden = await HideAsync(userId, conversation, "before", MessagePosition.LastOf(beforeTimestamp), [], now).ConfigureAwait(false);
        var applied = MessagePosition.TimestampOf(hidden.Watermark);
        var template = hidden.Moved ? EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = applied } : null;
        var seq = await ApplyHideAsync(userId, conversation, hidden, template, now).ConfigureAwait(false);
        return new HideOutcome(applied, null, template is null ? null : template with { Seq = seq });
    }

    public async ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, CancellationToken cancellationToken)
    {
        var hidden = await HideAsync(userId, conversation, "ids", 0, msgIds, now).ConfigureAwait(false);
        var template = hidden.Ids.Count > 0 ? EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = hidden.Ids } : null;
        var seq = await ApplyHideAsync(userId, conversation, hidden, template, now).ConfigureAwait(false);
        return new HideOutcome(null, hidden.Ids, template is null ? null : template with { Seq = seq });
    }

    public async ValueTask<MultiDeviceEvent> DeleteRemoteConversationAsync(string userId, ConversationRef conversation, bool deleteRoam, string deviceId, long now, CancellationToken cancellationToken)
    {
        // Three steps, because the list lives under the user's hash tag and the history under the chat's:
        // check, hide the history, then remove and log. Each step is atomic and a retry repeats them harmlessly.
        if (await Db.SortedSetScoreAsync(_keys.Conversations(userId), conversation.Member).ConfigureAwait(false) is null)
        {
            throw StoreErrors.ConversationNotFound();
        }

        if (deleteRoam)
        {
            await HideAsync(userId, conversation, "all", 0, [], now).ConfigureAwait(false);
        }

        var template = EventTemplate.For(MultiDeviceOperations.ConversationDeleted, conversation, deviceId, now) with { DeleteRoam = deleteRoam };
        var seq = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.DeleteConversation,
            _keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, _options.EventLogLength, RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return seq == -1 ? throw StoreErrors.ConversationNotFound() : template with { Seq = seq };
    }

    public async ValueTask<ReadOutcome> MarkConversationReadAsync(string userId, ConversationRef conversation, long readTimestamp, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationRead, conversation, deviceId, now) with { ReadTimestamp = readTimestamp };
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.MarkRead,
            _keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, Number(MessagePosition.LastOf(readTimestamp)), _options.EventLogLength, RedisProtocol.WriteEvent(template)])
            .ConfigureAwait(false))!;

        if ((long)result[0] == -1)
        {
            throw StoreErrors.ConversationNotFound();
        }

        var seq = (long)result[1];
        var peerAdvanced = seq > 0 && !conversation.IsGroup && await RecordPeerReadAsync(conversation.Id, userId, readTimestamp).ConfigureAwait(false);
        return new ReadOutcome(
            MessagePosition.TimestampOf((long)result[2]), (int)result[0], seq > 0 ? template with { Seq = seq } : null, peerAdvanced);
    }

    public async ValueTask<MarkAllReadOutcome> MarkAllConversationsReadAsync(string userId, string deviceId, long now, CancellationToken cancellationToken)
    {
        // Two round trips: the conversations with unread messages name the unread sets the script must declare.
        var members = (await Db.HashKeysAsync(_keys.UnreadCounts(userId)).ConfigureAwait(false)).Select(m => (string)m!).ToList();
        var template = new MultiDeviceEvent { Operation = MultiDeviceOperations.AllConversationsRead, Timestamp = now, FromDeviceId = deviceId, ReadTimestamp = now };
        RedisKey[] keys = [.. _keys.UserScriptKeys(userId), .. members.Select(m => _keys.Unread(userId, m))];
        RedisValue[] args = [Number(MessagePosition.LastOf(now)), _options.EventLogLength, RedisProtocol.WriteEvent(template), .. members.Select(m => (RedisValue)m)];
        var seq = (long)await Db.ScriptEvaluateAsync(RedisScripts.MarkAllRead, keys, args).ConfigureAwait(false);

        var peers = members.Select(ConversationRef.FromMember).Where(c => !c.IsGroup).Select(c => c.Id).ToList();
        var advanced = await Task.WhenAll(peers.Select(peer => RecordPeerReadAsync(peer, userId, now))).ConfigureAwait(false);
        return new MarkAllReadOutcome(template with { Seq = seq }, [.. peers.Where((_, i) => advanced[i])]);
    }

    public async ValueTask<UnreadSummary> GetUnreadSummaryAsync(string userId, CancellationToken cancellationToken)
    {
        var values = await Db.HashGetAsync(_keys.UnreadSummary(userId), ["total", "conversations"]).ConfigureAwait(false);
        return new UnreadSummary
        {
            TotalUnread = values[0].IsNull ? 0 : (long)values[0],
            ConversationsWithUnread = values[1].IsNull ? 0 : (long)values[1],
        };
    }

    public async ValueTask<MultiDeviceEvent?> UpdateConversationExtAsync(string userId, ConversationRef conversation, string? ext, string deviceId, long now, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationExtUpdated, conversation, deviceId, now) with { Ext = ext };
        var seq = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.UpdateExt,
            _keys.UserScriptKeys(userId, conversation.Member),
            [conversation.Member, ext ?? "", _options.EventLogLength, RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return seq switch
        {
            -1 => throw StoreErrors.ConversationNotFound(),
            0 => null,
            _ => template with { Seq = seq },
        };
    }

    public async ValueTask<Group> CreateGroupAsync(string groupId, string owner, IReadOnlyCollection<string> members, long now, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.Group(groupId).ChatKey(owner);
        var all = members.Append(owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var created = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.CreateGroup,
            [_keys.GroupInfo(chat), _keys.GroupMembers(chat)],
            [owner, Number(now), _options.MaxGroupMembers, .. all.Select(m => (RedisValue)m)]).ConfigureAwait(false);
        switch (created)
        {
            case -1:
                // A repeat of a create whose second step failed: finish mirroring the members it has, then say so.
                var existing = await GetGroupAsync(groupId, cancellationToken).ConfigureAwait(false);
                await MirrorMembershipAsync(groupId, existing?.Members ?? [], joined: true).ConfigureAwait(false);
                throw StoreErrors.GroupExists(groupId);
            case -2:
                throw StoreErrors.TooManyMembers(_options.MaxGroupMembers);
        }

        await MirrorMembershipAsync(groupId, all, joined: true).ConfigureAwait(false);
        return new Group { GroupId = groupId, Owner = owner, Members = all, CreatedTime = now };
    }

    public async ValueTask<Group?> GetGroupAsync(string groupId, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var info = Db.HashGetAsync(_keys.GroupInfo(chat), ["owner", "created"]);
        var members = Db.SetMembersAsync(_keys.GroupMembers(chat));
        var (fields, users) = (await info.ConfigureAwait(false), await members.ConfigureAwait(false));
        return fields[0].IsNull
            ? null
            : new Group { GroupId = groupId, Owner = (string)fields[0]!, CreatedTime = (long)fields[1], Members = [.. users.Select(u => (string)u!).Order(StringComparer.Ordinal)] };
    }

    public async ValueTask<IReadOnlyList<string>> AddGroupMembersAsync(string groupId, IReadOnlyCollection<string> users, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.AddGroupMembers,
            [_keys.GroupInfo(chat), _keys.GroupMembers(chat)],
            [_options.MaxGroupMembers, .. users.Distinct(StringComparer.Ordinal).Select(u => (RedisValue)u)]).ConfigureAwait(false))!;
        switch ((long)result[0])
        {
            case -1:
                throw StoreErrors.GroupNotFound(groupId);
            case -2:
                throw StoreErrors.TooManyMembers(_options.MaxGroupMembers);
        }

        var added = result.Skip(1).Select(r => (string)r!).ToList();
        await MirrorMembershipAsync(groupId, added, joined: true).ConfigureAwait(false);
        return added;
    }

    public async ValueTask<MultiDeviceEvent?> RemoveGroupMemberAsync(string groupId, string userId, long now, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.Group(groupId).ChatKey(userId);
        var removed = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.RemoveGroupMember,
            [_keys.GroupInfo(chat), _keys.GroupMembers(chat), _keys.Watermarks(chat), _keys.Hidden(chat, userId)],
            [userId]).ConfigureAwait(false);
        if (removed == -3)
        {
            // A repeat of a removal whose second step failed: finish the user's side, then say they are gone.
            await LeaveGroupAsync(groupId, userId, now).ConfigureAwait(false);
            throw StoreErrors.NotInGroup(userId, groupId);
        }

        return removed switch
        {
            -1 => throw StoreErrors.GroupNotFound(groupId),
            -4 => throw StoreErrors.OwnerCannotLeave(),
            _ => await LeaveGroupAsync(groupId, userId, now).ConfigureAwait(false),
        };
    }

    public async ValueTask<IReadOnlyList<(string UserId, MultiDeviceEvent? Event)>> DeleteGroupAsync(string groupId, long now, CancellationToken cancellationToken)
    {
        var chat = ConversationRef.GroupChatKey(groupId);
        var result = await Db.ScriptEvaluateAsync(
            RedisScripts.DeleteGroup,
            [_keys.GroupInfo(chat), _keys.GroupMembers(chat), _keys.Messages(chat), _keys.MessageBodies(chat), _keys.MessageClock(chat), _keys.Watermarks(chat)])
            .ConfigureAwait(false);
        if (result.IsNull)
        {
            throw StoreErrors.GroupNotFound(groupId);
        }

        var members = ((RedisResult[])result!).Select(r => (string)r!).ToList();
        var events = await Task.WhenAll(members.Select(m => LeaveGroupAsync(groupId, m, now))).ConfigureAwait(false);
        return [.. members.Zip(events)];
    }

    public async ValueTask<IReadOnlyList<string>> GetGroupsOfUserAsync(string userId, CancellationToken cancellationToken) =>
        [.. (await Db.SetMembersAsync(_keys.Groups(userId)).ConfigureAwait(false)).Select(g => (string)g!)];

    public async ValueTask<IReadOnlyList<string>> GetConnectionsAsync(string userId, long now, CancellationToken cancellationToken) =>
        [.. (await Db.SortedSetRangeByScoreAsync(_keys.Connections(userId), StaleBefore(now)).ConfigureAwait(false)).Select(c => (string)c!)];

    public async ValueTask<OperationClaim> BeginOperationAsync(string userId, string operationKey, TimeSpan lease, CancellationToken cancellationToken)
    {
        var result = await Db.ScriptEvaluateAsync(
            RedisScripts.BeginOperation, [_keys.Operation(userId, operationKey)], [(long)lease.TotalMilliseconds]).ConfigureAwait(false);
        if (result.IsNull)
        {
            return new OperationClaim(Claimed: true, Outcome: null);
        }

        var stored = (byte[])result!;
        return stored is [(byte)'P'] ? default : new OperationClaim(Claimed: false, Outcome: stored);
    }

    public async ValueTask CompleteOperationAsync(string userId, string operationKey, byte[] outcome, TimeSpan window, CancellationToken cancellationToken) =>
        await Db.StringSetAsync(_keys.Operation(userId, operationKey), outcome, window).ConfigureAwait(false);

    public async ValueTask AbandonOperationAsync(string userId, string operationKey, CancellationToken cancellationToken) =>
        await Db.ScriptEvaluateAsync(RedisScripts.AbandonOperation, [_keys.Operation(userId, operationKey)]).ConfigureAwait(false);

    public async ValueTask<long> GetLastSeqAsync(string userId, CancellationToken cancellationToken)
    {
        var value = await Db.StringGetAsync(_keys.EventSeq(userId)).ConfigureAwait(false);
        return value.IsNull ? 0 : (long)value;
    }

    public async ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, int limit, CancellationToken cancellationToken)
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
            [connectionId, Number(now), Number(StaleBefore(now)), _options.MaxConnectionsPerUser, Number(timeout * 2)]).ConfigureAwait(false);
        return (long)admitted == 1;
    }

    /// <summary>Connections last refreshed before this time (Unix ms) belong to a node that stopped refreshing them.</summary>
    private long StaleBefore(long now) => now - (long)_options.PresenceTimeout.TotalMilliseconds;

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

    private async Task<HideResult> HideAsync(string userId, ConversationRef conversation, string mode, long watermark, IReadOnlyList<string> msgIds, long now)
    {
        var chat = conversation.ChatKey(userId);
        RedisValue[] args =
        [
            userId, mode, Number(watermark), Number(RetentionFloor(now)), Number(ChatKeyLifetime), HistoryScanCap,
            conversation.IsGroup ? "1" : "0", .. msgIds.Select(id => (RedisValue)id),
        ];
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(
            RedisScripts.HideMessages,
            [
                _keys.Messages(chat), _keys.MessageBodies(chat), _keys.Watermarks(chat), _keys.Hidden(chat, userId),
                _keys.MessageClock(chat), _keys.GroupMembers(chat),
            ],
            args).ConfigureAwait(false))!;

        if (result.Length == 1)
        {
            throw StoreErrors.NotAMember(conversation.Id);
        }

        var count = (int)result[4];
        return new HideResult(
            Watermark: (long)result[0],
            Moved: (long)result[1] == 1,
            Newest: result[2].IsNull ? null : RedisProtocol.WritePositionedMessage((long)result[2], (byte[])result[3]!),
            Ids: [.. result.Skip(5).Take(count).Select(r => (string)r!)],
            Positions: [.. result.Skip(5 + count).Take(count).Select(r => (long)r)]);
    }

    private async Task<long> ApplyHideAsync(string userId, ConversationRef conversation, HideResult hidden, MultiDeviceEvent? template, long now)
    {
        RedisValue[] args =
        [
            conversation.Member, Number(Math.Max(hidden.Watermark, RetentionFloor(now))), hidden.Newest ?? RedisValue.EmptyString,
            _options.EventLogLength, template is null ? RedisValue.EmptyString : RedisProtocol.WriteEvent(template),
            .. hidden.Positions.Select(p => (RedisValue)Number(p)),
        ];
        return (long)await Db.ScriptEvaluateAsync(RedisScripts.ApplyHide, _keys.UserScriptKeys(userId, conversation.Member), args).ConfigureAwait(false);
    }

    private async Task<bool> RecordPeerReadAsync(string peer, string reader, long readTimestamp)
    {
        var member = new ConversationRef(ChatTypes.SingleChat, reader).Member;
        return (long)await Db.ScriptEvaluateAsync(RedisScripts.RecordPeerRead, _keys.UserScriptKeys(peer, member), [member, Number(readTimestamp)])
            .ConfigureAwait(false) == 1;
    }

    private async Task MirrorMembershipAsync(string groupId, IReadOnlyList<string> users, bool joined)
    {
        var batch = Db.CreateBatch();
        var pending = users.Select(u => joined ? batch.SetAddAsync(_keys.Groups(u), groupId) : batch.SetRemoveAsync(_keys.Groups(u), groupId)).ToList();
        batch.Execute();
        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    private async Task<MultiDeviceEvent?> LeaveGroupAsync(string groupId, string userId, long now)
    {
        var conversation = ConversationRef.Group(groupId);
        var template = EventTemplate.For(MultiDeviceOperations.RemovedFromGroup, conversation, "server", now);
        var seq = (long)await Db.ScriptEvaluateAsync(
            RedisScripts.LeaveGroup,
            _keys.UserScriptKeys(userId, conversation.Member),
            [groupId, conversation.Member, _options.EventLogLength, RedisProtocol.WriteEvent(template)]).ConfigureAwait(false);
        return seq == 0 ? null : template with { Seq = seq };
    }

    private long RetentionFloor(long now) => MessagePosition.RetentionFloor(now, _options.MessageRetentionDays);

    private static RedisValue Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record HideResult(long Watermark, bool Moved, byte[]? Newest, IReadOnlyList<string> Ids, IReadOnlyList<long> Positions);
}
