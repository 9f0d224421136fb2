namespace RoamingHub.Server.Storage.InMemory;

/// <summary>Registers the embedded store: every storage capability served from one process's memory.</summary>
internal static class InMemoryStorage
{
    public static IServiceCollection AddInMemoryStorage(this IServiceCollection services)
    {
        // One state behind one lock, shared by every capability, so a step that spans them stays atomic.
        services.AddSingleton<InMemoryState>();
        services.AddSingleton<IMessageStore, InMemoryMessageStore>();
        services.AddSingleton<IConversationStore, InMemoryConversationStore>();
        services.AddSingleton<IConversationSettingsStore, InMemoryConversationSettingsStore>();
        services.AddSingleton<IGroupStore, InMemoryGroupStore>();
        services.AddSingleton<IEventLog, InMemoryEventLog>();
        services.AddSingleton<IPresenceStore, InMemoryPresenceStore>();
        services.AddSingleton<IOperationStore, InMemoryOperationStore>();
        services.AddSingleton<ISendBudget, InMemorySendBudget>();
        return services;
    }
}
