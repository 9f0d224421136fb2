using RoamingHub.Server.Storage;

namespace RoamingHub.Server.Features.History;

/// <summary>
/// A page of a conversation's history as the caller sees it. The cursor is a msgId, exclusive; walking every page in
/// either direction returns each visible message exactly once, in order, also while new messages arrive. The reply is
/// a <c>Page&lt;Message&gt;</c> on the wire (<see cref="MessagePage"/>).
/// </summary>
internal sealed record FetchHistoryMessages(Caller Caller, FetchHistoryMessagesRequest Request) : IQuery<MessagePage>;

internal sealed class FetchHistoryMessagesHandler(IMessageStore messages, TimeProvider time) : IQueryHandler<FetchHistoryMessages, MessagePage>
{
    public async ValueTask<MessagePage> Handle(FetchHistoryMessages query, CancellationToken cancellationToken)
    {
        var (caller, request) = query;
        var conversation = ConversationRef.Parse(request.ChatType, request.ConversationId, caller.UserId);
        var older = request.Direction switch
        {
            null or "" or HistoryDirections.Up => true,
            HistoryDirections.Down => false,
            _ => throw RoamingException.InvalidArgument($"direction must be '{HistoryDirections.Up}' or '{HistoryDirections.Down}'."),
        };
        var cursor = request.Cursor is null or "" or "-1" ? null : HistoryRules.MsgId(request.Cursor, "cursor");
        var page = await messages.FetchHistoryMessagesAsync(
            caller.UserId, conversation, new HistoryQuery(older, cursor, Paging.PageSize(request.PageSize)),
            time.UnixNow(), cancellationToken).ConfigureAwait(false);
        return new MessagePage(conversation.Id, page.Items, page.Next);
    }
}

/// <summary>Argument rules shared by the history features.</summary>
internal static class HistoryRules
{
    private const int MaxMsgIdLength = 64;

    public static string MsgId(string? value, string field) =>
        value is { Length: > 0 and <= MaxMsgIdLength } && value.All(char.IsAsciiLetterOrDigit)
            ? value
            : throw RoamingException.InvalidArgument($"{field} must be a msgId: 1 to {MaxMsgIdLength} ASCII letters or digits.");
}
