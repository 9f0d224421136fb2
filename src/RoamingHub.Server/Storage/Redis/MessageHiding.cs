using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// A one-way deletion, in two steps because the history lives under the chat's hash tag and the list under the
/// user's: <see cref="HideAsync"/> hides messages from the user in the chat, then <see cref="ApplyAsync"/> makes the
/// user's conversation entry stop showing and counting them and logs the event. Each step is atomic and safe to
/// repeat, and the user step applies everything the request names that is hidden, so a retry of a deletion that
/// stopped between the two finishes it. Shared by the message deletions and by deleting a conversation with its history.
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

    /// <summary>
    /// The user side of <paramref name="hidden"/>: logs <paramref name="template"/> (what this call hid) when
    /// <paramref name="hidSomething"/>, or <paramref name="resumed"/> (everything the request names that is hidden)
    /// when the call resumes an earlier attempt of <paramref name="operationKey"/>; answers the logged event with its
    /// seq, and the event to answer the caller from (the logged one, or the template).
    /// </summary>
    public async Task<ApplyHiddenMessagesScript.Reply> ApplyAsync(
        string userId, ConversationRef conversation, HideMessagesScript.Reply hidden, MultiDeviceEvent template, bool hidSomething,
        MultiDeviceEvent? resumed, string? operationKey, long now)
    {
        // Messages past retention are as good as hidden: the entry stops showing and counting those too.
        var watermark = Math.Max(hidden.Watermark, store.RetentionFloor(now));
        return await ApplyHiddenMessagesScript.RunAsync(
            store, userId, conversation, watermark, hidden.Newest, [.. hidden.Positions, .. hidden.EarlierPositions], template, hidSomething, resumed,
            operationKey, now).ConfigureAwait(false);
    }
}
