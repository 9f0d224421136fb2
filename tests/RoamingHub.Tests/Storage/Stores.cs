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
    IConversationSettingsStore Settings)
{
    /// <summary>
    /// The entries of a user's index of marks, <c>mark|member</c>, as the store holds them: the Redis key itself, or
    /// what the embedded store derives from its conversations, which is the same by construction.
    /// </summary>
    public Func<string, Task<IReadOnlyList<string>>> MarkedIndex { get; init; } = _ => throw new NotSupportedException("This set of stores cannot show its index of marks.");
}
