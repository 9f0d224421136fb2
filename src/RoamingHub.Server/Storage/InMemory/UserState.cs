using RoamingHub.Contracts;
using RoamingHub.Server.Settings;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// What the embedded store keeps for one user and expires with them a user lifetime after their last activity: the
/// conversations and the stream. Their groups, connections, walks and operations live elsewhere in
/// <see cref="InMemoryState"/>, each as long as it does in Redis.
/// </summary>
internal sealed class UserState(string id, WorkMeter meter)
{
    public string Id { get; } = id;
    public Dictionary<string, ConversationState> Conversations { get; } = new(StringComparer.Ordinal);
    public StreamState Stream { get; } = new(meter);

    /// <summary>When the user's lifetime was last renewed (see <see cref="InMemoryState"/>).</summary>
    public long? RenewedAt { get; set; }

    /// <summary>Appends an event to the user's stream and answers it with its seq and epoch.</summary>
    public MultiDeviceEvent Append(MultiDeviceEvent template, RoamingOptions options) => Stream.Append(template, options);

    /// <summary>The conversation leaves the list with everything the user kept for it.</summary>
    public bool Forget(string member) => Conversations.Remove(member);
}
