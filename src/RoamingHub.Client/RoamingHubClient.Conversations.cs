using RoamingHub.Contracts;

namespace RoamingHub.Client;

/// <summary>The hub methods added for issue 19's conversation features (batch deletion, recall).</summary>
public sealed partial class RoamingHubClient
{
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
