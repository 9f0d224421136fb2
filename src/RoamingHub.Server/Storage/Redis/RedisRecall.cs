using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage.Redis.Scripts;

namespace RoamingHub.Server.Storage.Redis;

/// <summary>
/// A recall in Redis, in two steps because the history lives under the chat's tag and each participant's entry under
/// theirs: the chat step (<c>recall_message.lua</c>) takes the message out (or finds it out already) and answers each
/// participant's newest visible message, then one pipelined batch of user steps (<c>apply_recall.lua</c>), each of
/// which changes nothing the second time.
/// </summary>
/// <remarks>
/// Two recalls in one chat can interleave: the chat step of the newer one may answer the older one as the
/// replacement, and the older one's user step may have run already (finding the newer one still the last message, so
/// leaving it), which would leave a recalled message as the last message for good. The user step sees that (the
/// replacement's recall entry is in the participant's stream) and answers stale, writing nothing; that participant
/// then gets the chat step again, whose repeat answers the newest message visible by then, and their user step again.
/// </remarks>
internal sealed class RedisRecall(RedisStoreContext store)
{
    /// <summary>
    /// How many times a participant whose user step answered stale gets the chat step and their user step again. Each
    /// stale answer means another recall of the same chat finished in between, so this is only reached by a burst of
    /// recalls; past it, the participant is left as a failed step is (a repeat of the call finishes it).
    /// </summary>
    private const int StaleRounds = 5;

    /// <inheritdoc cref="IMessageStore.RecallMessageAsync"/>
    public async ValueTask<RecallOutcome> RecallAsync(string userId, ConversationRef conversation, string msgId, string deviceId, long now)
    {
        // A group's members name the hidden sets the chat step declares: read first, and again if they changed in between.
        IReadOnlyList<string> participants = conversation.IsGroup
            ? [.. (await store.Db.SetMembersAsync(store.Keys.GroupMembers(conversation.ChatKey(userId))).ConfigureAwait(false)).Select(m => (string)m!)]
            : [userId, conversation.Id];
        (var recalled, participants) = await ChatStepAsync(userId, conversation, msgId, participants, now).ConfigureAwait(false);
        if (Refusal(recalled, conversation) is { } refused)
        {
            throw refused;
        }

        var entries = new List<RecallEntry>(recalled.Participants.Count);
        var pending = recalled.Participants;
        for (var round = 0; ; round++)
        {
            var (stale, failure) = await UserStepsAsync(userId, conversation, msgId, deviceId, recalled.Position, pending, entries, now).ConfigureAwait(false);
            if (failure is not null || stale.Count == 0)
            {
                return new RecallOutcome(entries, failure);
            }

            if (round == StaleRounds)
            {
                return new RecallOutcome(entries, StoreErrors.RecallKeptChanging());
            }

            try
            {
                // Every participant again, as a group's chat step must name every member; only the stale ones are applied.
                (recalled, participants) = await ChatStepAsync(userId, conversation, msgId, participants, now).ConfigureAwait(false);
            }
            catch (Exception failed) when (StoreErrors.IsUnavailable(failed))
            {
                return new RecallOutcome(entries, failed);
            }

            if (Refusal(recalled, conversation) is { } lost)
            {
                // The caller left the group, or the message went past retention, since the first chat step.
                return new RecallOutcome(entries, lost);
            }

            // A stale participant the repeat does not answer has left the group since: nothing of theirs is left to fix.
            pending = [.. recalled.Participants.Where(participant => stale.Contains(participant.UserId))];
        }
    }

    /// <summary>The chat step, called again with the current members while a group's changed under it; answers who it named.</summary>
    private async Task<(RecallMessageScript.Reply Reply, IReadOnlyList<string> Participants)> ChatStepAsync(
        string userId, ConversationRef conversation, string msgId, IReadOnlyList<string> participants, long now)
    {
        RecallMessageScript.Reply recalled;
        while ((recalled = await RecallMessageScript.RunAsync(store, userId, conversation, msgId, participants, now).ConfigureAwait(false)).Status == ScriptStatus.KeysChanged)
        {
            participants = recalled.Members;
        }

        return (recalled, participants);
    }

    private RoamingException? Refusal(RecallMessageScript.Reply recalled, ConversationRef conversation) => recalled.Status switch
    {
        ScriptStatus.NotAMember => StoreErrors.NotAMember(conversation.Id),
        ScriptStatus.NotFound => StoreErrors.MessageNotFound(),
        ScriptStatus.NotSender => StoreErrors.NotTheSender(),
        ScriptStatus.RecallWindowPassed => StoreErrors.RecallWindowPassed(store.Options.RecallWindow),
        _ => null,
    };

    /// <summary>
    /// One pipelined batch of the user steps of <paramref name="pending"/>: the entries of those that succeeded are
    /// added to <paramref name="entries"/>; answers the users whose step answered stale, and the first failure.
    /// </summary>
    private async Task<(HashSet<string> Stale, Exception? Failure)> UserStepsAsync(
        string userId, ConversationRef conversation, string msgId, string deviceId, long position,
        IReadOnlyList<(string UserId, RecallMessageScript.Candidate? Newest)> pending, List<RecallEntry> entries, long now)
    {
        var batch = store.Db.CreateBatch();
        var steps = new List<(string UserId, MultiDeviceEvent Template, Task<StreamEntryRef?> Entry)>(pending.Count);
        foreach (var (user, newest) in pending)
        {
            var view = RecallViews.Of(conversation, userId, user);
            var template = EventTemplate.Recalled(view, msgId, deviceId, now);
            steps.Add((user, template, ApplyRecallScript.RunAsync(batch, store, user, view, msgId, position, newest, template, now)));
        }

        batch.Execute();
        Exception? failure = null;
        try
        {
            await Task.WhenAll(steps.Select(step => step.Entry)).ConfigureAwait(false);
        }
        catch (Exception failed) when (StoreErrors.IsUnavailable(failed))
        {
            // The steps that succeeded still answer, so their entries are pushed; a repeat of the call finishes the rest.
            failure = failed;
        }

        var stale = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in steps.Where(step => step.Entry.IsCompletedSuccessfully))
        {
            if (step.Entry.Result is { } entry)
            {
                entries.Add(new RecallEntry(step.UserId, entry.Stamp(step.Template), entry.Appended));
            }
            else
            {
                stale.Add(step.UserId);
            }
        }

        return (stale, failure);
    }
}
