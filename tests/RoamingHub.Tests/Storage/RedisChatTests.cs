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
}
