using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// One conversation read alone, and mute, the unread mark and marks in Redis: each call is one script under the
/// user's hash tag, but for a change of marks, which reads the marks first (see <see cref="SetConversationMarksAsync"/>).
/// </summary>
internal sealed class RedisConversationSettingsStore(RedisStoreContext store) : IConversationSettingsStore
{
    /// <summary>Rounds a change of marks makes while other changes of the same marks come in between, before it gives up.</summary>
    private const int MaxRounds = 100;

    public async ValueTask<ConversationEntry?> GetConversationAsync(string userId, ConversationRef conversation, long now, CancellationToken cancellationToken) =>
        await GetConversationScript.RunAsync(store, userId, conversation, now).ConfigureAwait(false);

    public async ValueTask<MuteOutcome> SetConversationMutedAsync(
        string userId, ConversationRef conversation, bool muted, long? mutedUntil, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var template = muted
            ? EventTemplate.For(MultiDeviceOperations.ConversationMuted, conversation, deviceId, now) with { MutedUntil = mutedUntil }
            : EventTemplate.For(MultiDeviceOperations.ConversationUnmuted, conversation, deviceId, now);
        var set = await SetConversationMutedScript.RunAsync(store, userId, conversation, RedisSettingsFormat.Mute(muted, mutedUntil), now, template, operationKey)
            .ConfigureAwait(false);
        return set switch
        {
            { Status: ScriptStatus.NotAMember } => throw StoreErrors.NotAMember(conversation.Id),
            { Status: ScriptStatus.MuteEnded } => throw StoreErrors.MuteEnded(),
            { Event: { } logged } => new MuteOutcome(logged.Operation == MultiDeviceOperations.ConversationMuted, logged.MutedUntil, logged),
            _ => RedisSettingsFormat.Read($"{set.Mute}||") is { } there ? new MuteOutcome(true, there.MutedUntil, null) : new MuteOutcome(false, null, null),
        };
    }

    public async ValueTask<MultiDeviceEvent?> MarkConversationUnreadAsync(
        string userId, ConversationRef conversation, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        var template = EventTemplate.For(MultiDeviceOperations.ConversationMarkedUnread, conversation, deviceId, now);
        var marked = await MarkConversationUnreadScript.RunAsync(store, userId, conversation, template, operationKey).ConfigureAwait(false);
        return marked.Status == ScriptStatus.NotFound ? throw StoreErrors.ConversationNotFound() : marked.Event;
    }

    public async ValueTask<MarksOutcome> SetConversationMarksAsync(
        string userId, ConversationRef conversation, int add, int remove, string deviceId, long now, string? operationKey, CancellationToken cancellationToken)
    {
        // The event carries the new marks, which depend on the marks there are: read them, then set the result only if
        // they are still those (the script answers the marks there are otherwise, and the next round starts from them).
        // Every round but the last found another change in between, so this ends.
        var stored = RedisSettingsFormat.Read(await store.Db.HashGetAsync(store.Keys.Settings(userId), conversation.Member).ConfigureAwait(false));
        var expected = stored?.Marks ?? 0;
        for (var round = 0; ; round++)
        {
            var wanted = (expected | add) & ~remove;
            var template = EventTemplate.For(MultiDeviceOperations.ConversationMarksUpdated, conversation, deviceId, now) with { Marks = MarkBits.ToList(wanted) };
            var set = await SetConversationMarksScript.RunAsync(store, userId, conversation, expected, wanted, template, operationKey).ConfigureAwait(false);
            switch (set.Status)
            {
                case ScriptStatus.NotFound:
                    throw StoreErrors.ConversationNotFound();
                case ScriptStatus.KeysChanged when round < MaxRounds:
                    expected = set.Marks;
                    continue;
                case ScriptStatus.KeysChanged:
                    // Retryable: the claim of a clientOpId is released, and the client's retry starts from the marks then.
                    throw new RoamingException(ErrorCodes.Unavailable, "The conversation's marks kept changing while they were set; repeat the call.");
                default:
                    return new MarksOutcome(set.Marks, set.Event);
            }
        }
    }

    public async ValueTask<ConversationPage> FetchMarkedConversationsAsync(
        string userId, string deviceId, int mark, ListCursor? cursor, int pageSize, long now, CancellationToken cancellationToken)
    {
        var walkId = cursor?.SnapshotId ?? ListCursor.NewSnapshotId();
        var offset = cursor?.Offset ?? 0;
        var page = await FetchConversationsScript.RunAsync(store, userId, deviceId, ConversationList.Marked, cursor is not null, walkId, offset, pageSize, now, mark)
            .ConfigureAwait(false);
        if (page.Status == ScriptStatus.WalkExpired)
        {
            throw ListCursor.Expired();
        }

        return new ConversationPage(page.Items, page.HasMore ? new ListCursor(ConversationList.Marked, walkId, offset + pageSize, mark) : null);
    }
}
