using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Every storage capability of one store, as the contract suite drives it. Each store builds its set in a file of
/// its own (<c>Stores.InMemory.cs</c>, <c>Stores.Redis.cs</c>).
/// </summary>
internal sealed partial record Stores(
    IMessageStore Messages,
    IConversationStore Conversations,
    IGroupStore Groups,
    IEventLog Events,
    IPresenceStore Presence,
    IOperationStore Operations,
    ISendBudget SendBudget,
    IConversationSettingsStore Settings);
