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
            new InMemoryConversationSettingsStore(state));
    }
}
