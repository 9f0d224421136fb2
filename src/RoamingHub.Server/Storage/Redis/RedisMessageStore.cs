using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Messages in Redis: a message is one script on its chat (<c>store_message.lua</c>), then one pipelined batch that
/// appends it to each participant's stream and touches their list; history is one script; a one-way deletion is two
/// (<see cref="MessageHiding"/>), and so is a recall (<see cref="RedisRecall"/>).
/// </summary>
internal sealed class RedisMessageStore(RedisStoreContext store) : IMessageStore
{
    private readonly MessageHiding _hiding = new(store);
    private readonly RedisRecall _recall = new(store);

    public async ValueTask<SendOutcome> SendMessageAsync(MessageDraft draft, long now, bool updateConversations, CancellationToken cancellationToken)
    {
        var conversation = new ConversationRef(draft.ChatType, draft.To);
        var blob = EncodedMessage.Encode(new StoredMessage(draft.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body));
        var stored = await StoreMessageScript.RunAsync(store, conversation, draft, blob, now).ConfigureAwait(false);
        if (stored.Status == ScriptStatus.NotAMember)
        {
            throw StoreErrors.NotAMember(draft.To);
        }

        var duplicate = stored.Status == ScriptStatus.Duplicate;
        // A repeat of a send whose message was recalled since answers it as sent, rebuilt from the repeat, and brings it
        // back nowhere: its touches only answer the stream entries the first attempt made.
        var recalled = duplicate && stored.FirstBlob is null;
        blob = recalled
            ? EncodedMessage.Encode(new StoredMessage(stored.MsgId, draft.ChatType, draft.From, draft.To, 0, draft.Type, draft.Body))
            : stored.FirstBlob ?? blob;
        var message = EncodedMessage.Read(blob, stored.Position).Decode();
        IReadOnlyList<string> participants = conversation.IsGroup ? stored.Members : [draft.From, draft.To];

        // A repeat runs this step again too: it only moves things forward, counts by msgId and appends to a stream
        // once per msgId, so it heals a send whose first attempt stopped after storing the message and answers the
        // entries that attempt made.
        var batch = store.Db.CreateBatch();
        var touch = TouchConversationScript.For(store, message, stored.Position, blob, updateConversations && !recalled, now);
        var touches = new List<Task<StreamEntryRef>>(participants.Count);
        foreach (var user in participants)
        {
            touches.Add(touch.RunAsync(batch, user));
        }

        batch.Execute();
        var entries = await Task.WhenAll(touches).ConfigureAwait(false);
        return new SendOutcome(message, duplicate, participants, participants.Zip(entries).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal), recalled);
    }

    public async ValueTask<HistoryPage> FetchHistoryMessagesAsync(string userId, ConversationRef conversation, HistoryQuery query, long now, CancellationToken cancellationToken)
    {
        var fetched = await FetchHistoryMessagesScript.RunAsync(store, userId, conversation, query, now).ConfigureAwait(false);
        return fetched.Status switch
        {
            ScriptStatus.NotAMember => throw StoreErrors.NotAMember(conversation.Id),
            ScriptStatus.UnknownCursor => throw StoreErrors.UnknownHistoryCursor(),
            _ => fetched.Page,
        };
    }

    public async ValueTask<StoredMessage?> FindMessageAsync(string userId, ConversationRef conversation, string msgId, CancellationToken cancellationToken)
    {
        // Two reads of the chat in one round trip; both keys are under the chat's tag.
        var chat = conversation.ChatKey(userId);
        var batch = store.Db.CreateBatch();
        var blob = batch.HashGetAsync(store.Keys.MessageBodies(chat), msgId);
        var position = batch.SortedSetScoreAsync(store.Keys.Messages(chat), msgId);
        batch.Execute();
        var (found, at) = (await blob.ConfigureAwait(false), await position.ConfigureAwait(false));
        return found.IsNull || at is null ? null : EncodedMessage.Read((byte[])found!, (long)at.Value).Decode();
    }

    public async ValueTask<HideOutcome> DeleteRemoteMessagesBeforeAsync(string userId, ConversationRef conversation, long beforeTimestamp, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // The watermark stops at the chat's newest message, which moves on: a resumed call whose user step already ran
        // answers that step's reply instead of raising the watermark again, past messages that step never applied.
        var hidden = await store.FinalStepRanAsync(userId, operationKey).ConfigureAwait(false)
            ? HideMessagesScript.Reply.None
            : await _hiding.HideAsync(userId, conversation, HideMessagesScript.Mode.Before, MessagePosition.LastOf(beforeTimestamp), [], now).ConfigureAwait(false);
        var template = EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { BeforeTimestamp = MessagePosition.TimestampOf(hidden.Watermark) };
        var applied = await _hiding.ApplyAsync(userId, conversation, hidden, template, hidden.Moved, template, operationKey, now).ConfigureAwait(false);
        return new HideOutcome(applied.Answer.BeforeTimestamp, null, applied.Event);
    }

    public async ValueTask<HideOutcome> DeleteRemoteMessagesWithIdsAsync(string userId, ConversationRef conversation, IReadOnlyList<string> msgIds, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var hidden = await _hiding.HideAsync(userId, conversation, HideMessagesScript.Mode.Ids, 0, msgIds, now).ConfigureAwait(false);
        var template = EventTemplate.For(MultiDeviceOperations.DeleteRoaming, conversation, deviceId, now) with { MsgIds = hidden.Ids };
        var named = hidden.Ids.Concat(hidden.EarlierIds).ToHashSet(StringComparer.Ordinal);
        var resumed = named.Count > 0 ? template with { MsgIds = [.. msgIds.Where(named.Contains)] } : null;
        var applied = await _hiding.ApplyAsync(userId, conversation, hidden, template, hidden.Ids.Count > 0, resumed, operationKey, now).ConfigureAwait(false);
        return new HideOutcome(null, applied.Answer.MsgIds ?? [], applied.Event);
    }

    public ValueTask<RecallOutcome> RecallMessageAsync(string userId, ConversationRef conversation, string msgId, string deviceId, long now, CancellationToken cancellationToken) =>
        _recall.RecallAsync(userId, conversation, msgId, deviceId, now);
}
