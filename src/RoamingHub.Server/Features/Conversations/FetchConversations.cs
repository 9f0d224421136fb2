using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.Conversations;

/// <summary>A page of the caller's conversations, most recent activity first; with <c>mark</c>, only those that carry it.</summary>
internal sealed record FetchConversations(Caller Caller, FetchConversationsRequest Request) : IQuery<Page<Conversation>>;

internal sealed class FetchConversationsHandler(IConversationStore conversations, IConversationSettingsStore settings, TimeProvider time)
    : IQueryHandler<FetchConversations, Page<Conversation>>
{
    public async ValueTask<Page<Conversation>> Handle(FetchConversations query, CancellationToken cancellationToken)
    {
        var now = time.UnixNow();
        if (query.Request.Mark is not { } mark)
        {
            return await ConversationListing.ReadPageAsync(conversations, query.Caller, ConversationList.Active, query.Request, now, cancellationToken).ConfigureAwait(false);
        }

        ConversationMarkRules.Require(mark, "mark");
        var pageSize = Paging.PageSize(query.Request.PageSize);
        var cursor = ListCursor.Parse(query.Request.Cursor, ConversationList.Marked, mark);
        var caller = query.Caller;
        var page = await settings.FetchMarkedConversationsAsync(caller.UserId, caller.DeviceId, mark, cursor, pageSize, now, cancellationToken).ConfigureAwait(false);
        return ConversationListing.ToWire(page, caller.UserId, now);
    }
}
