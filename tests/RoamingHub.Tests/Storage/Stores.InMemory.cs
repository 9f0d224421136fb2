using Microsoft.Extensions.Options;
using RoamingHub.Server.Settings;
using RoamingHub.Server.Storage.InMemory;

namespace RoamingHub.Tests.Storage;

internal sealed partial record Stores
{
    /// <summary>The embedded store's capabilities, sharing one state.</summary>
    public static Stores InMemory(RoamingOptions options)
    {
        var state = new InMemoryState(Options.Create(options));
        return new Stores(
            new InMemoryMessageStore(state),
            new InMemoryConversationStore(state),
            new InMemoryGroupStore(state),
            new InMemoryEventLog(state),
            new InMemoryPresenceStore(state),
            new InMemoryOperationStore(state),
            new InMemorySendBudget(state),
            new InMemoryConversationSettingsStore(state))
        {
            MarkedIndex = userId =>
            {
                lock (state.Gate)
                {
                    IReadOnlyList<string> index = [.. (state.FindUser(userId)?.Conversations ?? []).SelectMany(c =>
                        Enumerable.Range(0, 20).Where(mark => (c.Value.Settings.Marks & (1 << mark)) != 0).Select(mark => $"{mark}|{c.Key}"))];
                    return Task.FromResult(index);
                }
            },
        };
    }
}
