using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// A one-way deletion, in two steps because the history lives under the chat's hash tag and the list under the
/// user's: <see cref="HideAsync"/> hides messages from the user in the chat, then <see cref="ApplyAsync"/> makes the
/// user's conversation entry stop showing and counting them and logs the event. Each step is atomic and safe to
/// repeat. Shared by the message deletions and by deleting a conversation with its history.
/// </summary>
internal sealed class MessageHiding(RedisStoreContext store)
{
    /// <summary>The chat side; throws <c>FORBIDDEN</c> for a group the user is not in.</summary>
    public async Task<HideMessagesScript.Reply> HideAsync(
        string userId, ConversationRef conversation, HideMessagesScript.Mode mode, long watermark, IReadOnlyList<string> msgIds, long now)
    {
        var hidden = await HideMessagesScript.RunAsync(store, userId, conversation, mode, watermark, msgIds, now).ConfigureAwait(false);
        return hidden.Status == ScriptStatus.NotAMember ? throw StoreErrors.NotAMember(conversation.Id) : hidden;
    }

    /// <summary>The user side of <paramref name="hidden"/>; logs <paramref name="template"/> unless it is null and answers it with its seq.</summary>
    public async Task<MultiDeviceEvent?> ApplyAsync(
        string userId, ConversationRef conversation, HideMessagesScript.Reply hidden, MultiDeviceEvent? template, long now)
    {
        // Messages past retention are as good as hidden: the entry stops showing and counting those too.
        var watermark = Math.Max(hidden.Watermark, store.RetentionFloor(now));
        var applied = await ApplyHiddenMessagesScript.RunAsync(store, userId, conversation, watermark, hidden.Newest, hidden.Positions, template, now)
            .ConfigureAwait(false);
        return applied.Entry is { } entry && template is not null ? entry.Stamp(template) : null;
    }
}
