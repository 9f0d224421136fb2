using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>A page of the caller's conversations, most recent activity first.</summary>
internal sealed record FetchConversations(Caller Caller, FetchConversationsRequest Request) : IQuery<Page<Conversation>>;

internal sealed class FetchConversationsHandler(IConversationStore conversations, TimeProvider time) : IQueryHandler<FetchConversations, Page<Conversation>>
{
    public ValueTask<Page<Conversation>> Handle(FetchConversations query, CancellationToken cancellationToken) =>
        ConversationListing.ReadPageAsync(conversations, query.Caller, ConversationList.Active, query.Request, time.UnixNow(), cancellationToken);
}
