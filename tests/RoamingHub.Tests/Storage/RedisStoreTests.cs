using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Server.Storage.Redis.Scripts;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Tests of the Redis store that also read or write its keys directly (to see what it left, or to damage it): each
/// test gets a store with a key prefix of its own on the shared test redis-server.
/// </summary>
public abstract class RedisStoreTests
{
    protected const long T0 = 1_790_000_000_000;

    protected RedisStoreTests(Action<RoamingOptions>? configure = null)
    {
        Prefix = TestIds.Prefix();
        Keys = new RedisKeys(Prefix);
        Options = new RoamingOptions { RedisKeyPrefix = Prefix };
        configure?.Invoke(Options);
        Store = Stores.Redis(RedisServer.Instance.Multiplexer, Options);
    }

    /// <summary>The key prefix of this test's store: every key it writes starts with it.</summary>
    protected string Prefix { get; }

    protected RoamingOptions Options { get; }

    private protected RedisKeys Keys { get; }

    private protected Stores Store { get; }

    protected static IDatabase Db => RedisServer.Instance.Multiplexer.GetDatabase();

    /// <summary>Every key of this test's store, found with SCAN (which also drops those that have expired).</summary>
    protected async Task<List<string>> KeysAsync(string? below = null)
    {
        var server = RedisServer.Instance.Multiplexer.GetServer(RedisServer.Instance.ConnectionString);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: (below ?? Prefix + ":") + "*", pageSize: 1000))
        {
            keys.Add(key!);
        }

        return keys;
    }

    /// <summary>
    /// A store on this test's keys that runs <paramref name="interlude"/> after each call of <paramref name="script"/>
    /// (a two-step operation's first step), before what follows it. The script is loaded first: a call answered
    /// NOSCRIPT is sent again as text, which the interlude does not see.
    /// </summary>
    private protected async Task<Stores> AfterEachCallOfAsync(string script, Func<Task> interlude)
    {
        var loaded = RedisScript.Get(script);
        await loaded.LoadAsync(RedisServer.Instance.Multiplexer.GetServer(RedisServer.Instance.ConnectionString));
        return Stores.Redis(ScriptInterlude.Wrap(RedisServer.Instance.Multiplexer, loaded.Hash, interlude), Options);
    }

    /// <summary><paramref name="userId"/>'s entry of <paramref name="conversationId"/>, as the first page of their list shows it.</summary>
    private protected async Task<ConversationEntry> EntryAsync(string userId, string conversationId) =>
        (await Store.Conversations.FetchConversationsAsync(userId, "device", ConversationList.Active, null, 20, T0 + 30, default)).Items
            .Single(entry => entry.Conversation.Id == conversationId);
}
