using RoamingHub.Contracts;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>What the embedded store keeps for one user: conversations, walks, connections, groups, operations, its stream.</summary>
internal sealed class UserState
{
    public Dictionary<string, ConversationState> Conversations { get; } = new(StringComparer.Ordinal);
    /// <summary>Per device and list, the walk it is on: one at a time, as in Redis (there they also expire by time).</summary>
    public Dictionary<(string DeviceId, ConversationList List), (string WalkId, List<string> Members)> Snapshots { get; } = [];
    public Dictionary<ConnectionRecord, long> Connections { get; } = [];
    public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, (byte[]? Outcome, long ExpiresAt)> Operations { get; } = new(StringComparer.Ordinal);
    public StreamState Stream { get; } = new();

    /// <summary>Appends an event to the user's stream and answers it with its seq and epoch.</summary>
    public MultiDeviceEvent Append(MultiDeviceEvent template, RoamingOptions options) => Stream.Append(template, options);

    /// <summary>The conversation leaves the list with everything the user kept for it.</summary>
    public bool Forget(string member) => Conversations.Remove(member);
}
