using RoamingHub.Server.Domain;

namespace RoamingHub.Server.Storage.InMemory;

/// <summary>What one user keeps for one conversation.</summary>
internal sealed class ConversationState(long created, WorkMeter meter)
{
    public long Activity { get; set; } = created;
    public long Created { get; } = created;
    public long? PinnedTime { get; set; }
    public (long Position, StoredMessage Message)? Last { get; set; }
    public long ReadPosition { get; private set; }
    public long? PeerReadTimestamp { get; set; }
    public string? Ext { get; set; }

    /// <summary>Mute, the unread mark and marks, as the user set them.</summary>
    public ConversationSettings Settings { get; set; } = ConversationSettings.None;

    /// <summary>The unread messages by position, so a read or a trim drops what it drops without walking the rest.</summary>
    public PositionSet Unread { get; } = new(meter);

    /// <summary>Moves the read point forward; false when it was already there or beyond.</summary>
    public bool MarkRead(long position)
    {
        var moved = position > ReadPosition;
        ReadPosition = Math.Max(ReadPosition, position);
        Unread.RemoveAtOrBelow(ReadPosition);
        return moved;
    }
}
