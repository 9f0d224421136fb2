using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Redis store tests of one single chat between Alice and Bob, in which Alice sends: the two users, the chat as each
/// sees it, and sending in it.
/// </summary>
public abstract class RedisChatTests : RedisStoreTests
{
    protected const string Phone = "phone";

    protected string Alice { get; } = TestIds.User("alice");

    protected string Bob { get; } = TestIds.User("bob");

    /// <summary>The chat as Alice names it.</summary>
    private protected ConversationRef WithBob => new(ChatTypes.SingleChat, Bob);

    /// <summary>The chat as Bob names it.</summary>
    private protected ConversationRef WithAlice => new(ChatTypes.SingleChat, Alice);

    /// <summary>A text message from Alice to Bob.</summary>
    private protected MessageDraft Draft(string body, string? clientMsgId = null) =>
        new(Guid.NewGuid().ToString("N"), ChatTypes.SingleChat, Alice, Bob, "text", body, clientMsgId);

    /// <summary>Sends <see cref="Draft"/> at <paramref name="now"/>; the message as stored.</summary>
    private protected async Task<StoredMessage> SendAsync(string body, long now) =>
        (await Store.Messages.SendMessageAsync(Draft(body), now, true, default)).Message;

    /// <summary>Eight messages from Alice at T0 to T0 + 7, the newest on top.</summary>
    private protected async Task<Stack<StoredMessage>> SendEightOlderAsync()
    {
        var older = new Stack<StoredMessage>();
        for (var i = 0; i < 8; i++)
        {
            older.Push(await SendAsync("older " + i, T0 + i));
        }

        return older;
    }

    /// <summary>
    /// Stores on which every call of <paramref name="script"/> (an operation's chat step) is followed by all of
    /// Alice's recall, from another device, of the newest of <paramref name="older"/>, which leaves the stack: the
    /// message that step answered as the one to show, recalled before the operation goes on.
    /// </summary>
    private protected Task<Stores> RecallTheNewestAfterEachCallOfAsync(string script, Stack<StoredMessage> older) =>
        AfterEachCallOfAsync(script, async () =>
            await Store.Messages.RecallMessageAsync(Alice, WithBob, older.Pop().MsgId, "tablet", T0 + 20, default));
}
