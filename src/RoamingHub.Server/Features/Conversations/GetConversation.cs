using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>One of the caller's conversations, exactly as a page of the list shows it; <c>NOT_FOUND</c> when it is not in the list.</summary>
internal sealed record GetConversation(Caller Caller, GetConversationRequest Request) : IQuery<Conversation>;

internal sealed class GetConversationHandler(IConversationSettingsStore settings, TimeProvider time) : IQueryHandler<GetConversation, Conversation>
{
    public async ValueTask<Conversation> Handle(GetConversation query, CancellationToken cancellationToken)
    {
        var caller = query.Caller;
        var conversation = ConversationRef.Parse(query.Request.ChatType, query.Request.ConversationId, caller.UserId);
        var now = time.UnixNow();
        var entry = await settings.GetConversationAsync(caller.UserId, conversation, now, cancellationToken).ConfigureAwait(false)
            ?? throw StoreErrors.ConversationNotFound();
        return ConversationListing.ToWire(entry, caller.UserId, now);
    }
}
