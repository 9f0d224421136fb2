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
/// <remarks>
/// A recall can run between the two steps: the chat step's replacement for a hidden last message may be recalled, and
/// that recall's user step, finding the hidden message still the last one, leaves the entry alone, which would leave a
/// recalled message as the last message for good. The user step sees that (the replacement's recall entry is in the
/// user's stream) and answers stale, writing nothing; the chat step then answers the newest message visible by then,
/// hiding nothing more, and the user step runs again with it and with what the first chat step hid.
/// </remarks>
internal sealed class MessageHiding(RedisStoreContext store)
{
    /// <summary>
    /// How many times a user step that answered stale gets the chat step and the user step again. Each stale answer
    /// means a recall of the same chat finished in between, so this is only reached by a burst of recalls; past it, the
    /// call fails as a failed user step does (what it hid stays hidden, and a repeat of the call finishes it).
    /// </summary>
    private const int StaleRounds = 5;

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
    /// seq, and the event to answer the caller from (the logged one, or the template). Throws <c>UNAVAILABLE</c> when
    /// recalls kept recalling the message to show instead of a hidden last message (see the remarks).
    /// </summary>
    public async Task<ApplyHiddenMessagesScript.Reply> ApplyAsync(
        string userId, ConversationRef conversation, HideMessagesScript.Reply hidden, MultiDeviceEvent template, bool hidSomething,
        MultiDeviceEvent? resumed, string? operationKey, long now)
    {
        // Messages past retention are as good as hidden: the entry stops showing and counting those too.
        var watermark = Math.Max(hidden.Watermark, store.RetentionFloor(now));
        IReadOnlyList<long> positions = [.. hidden.Positions, .. hidden.EarlierPositions];
        var (newest, newestId) = (hidden.Newest, hidden.NewestId);
        for (var round = 0; ; round++)
        {
            var applied = await ApplyHiddenMessagesScript.RunAsync(
                store, userId, conversation, watermark, newest, newestId, positions, template, hidSomething, resumed, operationKey, now).ConfigureAwait(false);
            if (applied is not null)
            {
                return applied;
            }

            if (round == StaleRounds)
            {
                throw StoreErrors.HidingKeptChanging();
            }

            // Only the replacement is asked for again ('ids' with none hides nothing): the watermark, the positions and
            // the events stay those of what this call's first chat step hid.
            var again = await HideAsync(userId, conversation, HideMessagesScript.Mode.Ids, 0, [], now).ConfigureAwait(false);
            (newest, newestId) = (again.Newest, again.NewestId);
        }
    }
}
