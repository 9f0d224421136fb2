using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// A history page is written to the client from the stored blobs without decoding them, so the store checks each
/// blob where it reads it: a damaged one fails the call there (an error the hub maps to a code), never halfway through
/// the reply and never as bytes a client would receive. The damage is written straight into Redis here.
/// </summary>
public sealed class RedisDamagedMessageTests : RedisStoreTests
{
    public static TheoryData<string, byte[]> Damage => new()
    {
        // [msgId, chatType, from, to, type]: a field short.
        { "five fields", [0x95, 0xA2, (byte)'m', (byte)'1', 0xA1, (byte)'s', 0xA1, (byte)'a', 0xA1, (byte)'b', 0xA1, (byte)'t'] },
        // The body is an integer.
        { "a number field", [0x96, 0xA2, (byte)'m', (byte)'1', 0xA1, (byte)'s', 0xA1, (byte)'a', 0xA1, (byte)'b', 0xA1, (byte)'t', 0x07] },
        // The body is a str of bytes that are not UTF-8.
        { "invalid UTF-8", [0x96, 0xA2, (byte)'m', (byte)'1', 0xA1, (byte)'s', 0xA1, (byte)'a', 0xA1, (byte)'b', 0xA1, (byte)'t', 0xA2, 0xC3, 0x28] },
    };

    [Theory]
    [MemberData(nameof(Damage))]
    public async Task A_damaged_blob_fails_the_history_read_in_the_store(string damage, byte[] blob)
    {
        var (alice, bob) = (TestIds.User("alice"), TestIds.User("bob"));
        await Store.Messages.SendMessageAsync(new MessageDraft("m0", ChatTypes.SingleChat, alice, bob, "text", "fine", null), T0, true, default);
        var sent = await Store.Messages.SendMessageAsync(new MessageDraft("m1", ChatTypes.SingleChat, alice, bob, "text", "soon damaged", null), T0 + 1, true, default);
        var conversation = ConversationRef.Parse(ChatTypes.SingleChat, bob, alice);
        var before = await Store.Messages.FetchHistoryMessagesAsync(alice, conversation, new HistoryQuery(true, null, 20), T0 + 2, default);
        Assert.Equal(["m1", "m0"], before.Items.Select(m => m.Decode().MsgId));

        await Db.HashSetAsync(Keys.MessageBodies(conversation.ChatKey(alice)), sent.Message.MsgId, blob);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Store.Messages.FetchHistoryMessagesAsync(alice, conversation, new HistoryQuery(true, null, 20), T0 + 2, default).AsTask());
        Assert.Contains("stored message", error.Message, StringComparison.Ordinal);
        var older = await Store.Messages.FetchHistoryMessagesAsync(alice, conversation, new HistoryQuery(true, "m1", 20), T0 + 2, default);
        Assert.Equal(["m0"], older.Items.Select(m => m.Decode().MsgId));
        _ = damage;
    }
}
