using Microsoft.Extensions.Options;
using RoamingHub.Contracts;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.InMemory;

namespace RoamingHub.Tests.Storage;

public sealed class InMemoryStoreContractTests : StoreContract
{
    internal override Stores CreateStore(RoamingOptions options) => Stores.InMemory(options);

    [Fact]
    public async Task Client_message_ids_are_forgotten_once_their_idempotency_window_has_passed()
    {
        var options = new RoamingOptions { IdempotencyWindow = TimeSpan.FromMinutes(2) };
        var window = (long)options.IdempotencyWindow.TotalMilliseconds;
        var store = new InMemoryMessageStore(new InMemoryState(Options.Create(options)));
        const long t0 = 1_800_000_000_000;
        static MessageDraft Draft(string msgId, string clientMsgId) => new(msgId, ChatTypes.SingleChat, "alice", "bob", "text", "hi", clientMsgId);

        for (var i = 0; i < 100; i++)
        {
            await store.SendMessageAsync(Draft($"m{i}", $"c{i}"), t0 + i, true, default);
        }

        var retry = await store.SendMessageAsync(Draft("m-retry", "c7"), t0 + window - 1, true, default);
        Assert.True(retry.Duplicate);
        Assert.Equal(100, store.ClientMsgIdsHeld);

        await store.SendMessageAsync(Draft("m-late", "c-late"), t0 + window + 100, true, default);
        Assert.Equal(1, store.ClientMsgIdsHeld);
        var reused = await store.SendMessageAsync(Draft("m-again", "c7"), t0 + window + 101, true, default);
        Assert.False(reused.Duplicate);
    }
}
