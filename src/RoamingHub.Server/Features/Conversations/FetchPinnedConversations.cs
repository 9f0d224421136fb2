using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>A page of the caller's pinned conversations, most recently pinned first.</summary>
internal sealed record FetchPinnedConversations(Caller Caller, FetchConversationsRequest Request) : IQuery<Page<Conversation>>;

internal sealed class FetchPinnedConversationsHandler(IConversationStore conversations, TimeProvider time) : IQueryHandler<FetchPinnedConversations, Page<Conversation>>
{
    public ValueTask<Page<Conversation>> Handle(FetchPinnedConversations query, CancellationToken cancellationToken) =>
        query.Request.Mark is not null
            ? throw RoamingException.InvalidArgument("mark filters FetchConversations only; FetchPinnedConversations takes none.")
            : ConversationListing.ReadPageAsync(conversations, query.Caller, ConversationList.Pinned, query.Request, time.UnixNow(), cancellationToken);
}
