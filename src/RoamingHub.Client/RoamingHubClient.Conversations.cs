using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>The hub methods of the conversation features: one conversation read alone, mute, the unread mark, marks, batch deletion and recall.</summary>
public sealed partial class RoamingHubClient
{
    /// <summary>One conversation exactly as the list shows it; fails with <c>NOT_FOUND</c> when it is not in the list.</summary>
    public Task<Conversation> GetConversationAsync(GetConversationRequest request, CancellationToken cancellationToken = default) =>
        InvokeAsync<Conversation>(HubMethods.GetConversation, request, cancellationToken);

    /// <summary>Mutes (until <c>MutedUntil</c> when set) or unmutes a conversation; muting one not in the list adds it.</summary>
    public async Task<MuteResult> SetConversationMutedAsync(SetConversationMutedRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MuteResult>(HubMethods.SetConversationMuted, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    /// <summary>Marks a conversation unread until it is next marked read.</summary>
    public async Task<MarkUnreadResult> MarkConversationUnreadAsync(MarkConversationUnreadRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarkUnreadResult>(HubMethods.MarkConversationUnread, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    /// <summary>Adds and removes marks (0–19) on a conversation.</summary>
    public async Task<MarksResult> SetConversationMarksAsync(SetConversationMarksRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<MarksResult>(HubMethods.SetConversationMarks, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);

    /// <summary>
    /// Deletes 1–50 conversations at once (each as <see cref="DeleteRemoteConversationAsync"/> does); those not in the
    /// list are skipped. Each deleted conversation's seq counts as applied.
    /// </summary>
    public async Task<DeleteConversationsResult> DeleteRemoteConversationsAsync(DeleteRemoteConversationsRequest request, CancellationToken cancellationToken = default)
    {
        var result = await InvokeAsync<DeleteConversationsResult>(HubMethods.DeleteRemoteConversations, request, cancellationToken).ConfigureAwait(false);
        foreach (var deleted in result.Deleted)
        {
            Own(deleted, d => d.Seq, d => d.Epoch);
        }

        return result;
    }

    /// <summary>Recalls a message the caller sent, within the server's recall window; its seq counts as applied.</summary>
    public async Task<RecallMessageResult> RecallMessageAsync(RecallMessageRequest request, CancellationToken cancellationToken = default) =>
        Own(await InvokeAsync<RecallMessageResult>(HubMethods.RecallMessage, request, cancellationToken).ConfigureAwait(false), r => r.Seq, r => r.Epoch);
}
