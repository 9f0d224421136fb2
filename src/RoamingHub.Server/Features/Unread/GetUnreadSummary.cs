using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Unread;

/// <summary>The caller's badge: unread messages and conversations with unread messages, kept by the server in O(1).</summary>
internal sealed record GetUnreadSummary(Caller Caller) : IQuery<UnreadSummary>;

internal sealed class GetUnreadSummaryHandler(IConversationStore conversations, TimeProvider time) : IQueryHandler<GetUnreadSummary, UnreadSummary>
{
    public ValueTask<UnreadSummary> Handle(GetUnreadSummary query, CancellationToken cancellationToken) =>
        conversations.GetUnreadSummaryAsync(query.Caller.UserId, time.UnixNow(), cancellationToken);
}
