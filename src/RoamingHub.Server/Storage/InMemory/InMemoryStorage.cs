namespace RoamingHub.Server.Storage.InMemory;

/// <summary>Registers the embedded store: every storage capability served from one process's memory.</summary>
internal static class InMemoryStorage
{
    public static IServiceCollection AddInMemoryStorage(this IServiceCollection services)
    {
        services.AddSingleton<InMemoryRoamingStore>();
        services.AddSingleton<IMessageStore>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        services.AddSingleton<IGroupStore>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        services.AddSingleton<IEventLog>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        services.AddSingleton<IPresenceStore>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        services.AddSingleton<IOperationStore>(sp => sp.GetRequiredService<InMemoryRoamingStore>());
        return services;
    }
}
