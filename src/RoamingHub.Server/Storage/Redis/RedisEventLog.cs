using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;
using StackExchange.Redis;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// Each user's stream in Redis: written by the scripts that change state, read here. A replay is
/// <c>sync_events.lua</c> on the user's tag, then, when the page holds messages, one pipelined batch with an
/// <c>HMGET</c> of the bodies per chat, since on Redis Cluster the chats live on other slots than the user.
/// </summary>
internal sealed class RedisEventLog(RedisStoreContext store) : IEventLog
{
    public async ValueTask<SyncState> GetSyncStateAsync(string userId, long now, CancellationToken cancellationToken) =>
        await GetSyncStateScript.RunAsync(store, userId, now).ConfigureAwait(false);

    public async ValueTask<SyncEventsResult> SyncEventsAsync(string userId, long sinceSeq, string? epoch, int limit, long now, CancellationToken cancellationToken)
    {
        var read = await SyncEventsScript.RunAsync(store, userId, sinceSeq, epoch, limit, now).ConfigureAwait(false);
        if (read.Status == ScriptStatus.ResyncRequired)
        {
            return StreamReplay.Resync(read.LastSeq, read.Epoch);
        }

        var messages = await ReadMessagesAsync(userId, [.. read.Entries.Select(e => e.Message).OfType<MessageEntry>()], now).ConfigureAwait(false);
        var entries = read.Entries.Select(e => e.Message is { } reference
            ? StreamReplay.MessageEntry(
                new StreamEntryRef(e.Seq, read.Epoch), reference.Conversation, MessagePosition.TimestampOf(reference.Position),
                messages.GetValueOrDefault(reference.MsgId), userId)
            : e.Event! with { Epoch = read.Epoch });
        return StreamReplay.Page([.. entries], read.LastSeq, read.Epoch);
    }

    /// <summary>
    /// The referenced messages the user can still see, by msgId; one past retention, in a deleted chat, or hidden from
    /// the user by a one-way deletion (below their watermark, or among their hidden ids) is left out.
    /// </summary>
    private async Task<Dictionary<string, StoredMessage>> ReadMessagesAsync(string userId, IReadOnlyList<MessageEntry> references, long now)
    {
        var found = new Dictionary<string, StoredMessage>(StringComparer.Ordinal);
        if (references.Count == 0)
        {
            return found;
        }

        var floor = store.RetentionFloor(now);
        var live = references.Where(r => r.Position > floor).ToList();
        var batch = store.Db.CreateBatch();
        var reads = live.GroupBy(r => r.Conversation.ChatKey(userId), StringComparer.Ordinal)
            .Select(chat =>
            {
                RedisValue[] ids = [.. chat.Select(r => (RedisValue)r.MsgId)];
                return (
                    References: chat.ToList(),
                    Bodies: batch.HashGetAsync(store.Keys.MessageBodies(chat.Key), ids),
                    Watermark: batch.HashGetAsync(store.Keys.Watermarks(chat.Key), userId),
                    Hidden: batch.SortedSetScoresAsync(store.Keys.Hidden(chat.Key, userId), ids));
            })
            .ToList();
        batch.Execute();
        foreach (var (chatReferences, bodies, watermark, hidden) in reads)
        {
            var values = await bodies.ConfigureAwait(false);
            var mark = await watermark.ConfigureAwait(false);
            var hiddenAt = await hidden.ConfigureAwait(false);
            var below = mark.IsNull ? 0 : (long)mark;
            for (var i = 0; i < values.Length; i++)
            {
                if (!values[i].IsNull && chatReferences[i].Position > below && hiddenAt[i] is null)
                {
                    found[chatReferences[i].MsgId] = EncodedMessage.Read((byte[])values[i]!, chatReferences[i].Position).Decode();
                }
            }
        }

        return found;
    }
}
