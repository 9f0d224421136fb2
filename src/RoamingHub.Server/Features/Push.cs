namespace RoamingHub.Server.Features;

/// <summary>
/// One stream entry for one or more users: the same payload (a <see cref="Message"/>, <see cref="MultiDeviceEvent"/>
/// or <see cref="ReadAck"/>) for every target, each target's copy stamped with the seq and epoch of the entry in that
/// user's own stream. A group message is one push whatever the number of members.
/// </summary>
/// <param name="Method">The client method (<see cref="HubEvents"/>).</param>
/// <param name="Payload">What every target receives, before it is stamped with the target's seq and epoch.</param>
/// <param name="Targets">The users whose streams hold the entry.</param>
/// <param name="ExceptConnectionId">The connection that made the change: it learns the entry from its call's result.</param>
internal sealed record Push(string Method, object Payload, IReadOnlyList<PushTarget> Targets, string? ExceptConnectionId = null)
{
    /// <summary>
    /// The store published this push to the other nodes in the step that logged its entry
    /// (<c>Storage/Redis/IEntryPublisher</c>): the notifier delivers it to this node's connections only.
    /// </summary>
    public bool PublishedByStore { get; init; }

    public static Push Message(Message message, IReadOnlyList<PushTarget> targets, string? exceptConnectionId = null) =>
        new(HubEvents.OnMessage, message, targets, exceptConnectionId);

    public static Push Event(MultiDeviceEvent change, PushTarget target, string? exceptConnectionId = null) =>
        new(HubEvents.OnMultiDeviceEvent, change, [target], exceptConnectionId);

    public static Push ReadAck(ReadAck ack, PushTarget target) => new(HubEvents.OnReadAck, ack, [target]);

    /// <summary>The payload as <paramref name="target"/> receives it: stamped with their entry's seq and epoch.</summary>
    public object PayloadFor(PushTarget target) => Payload switch
    {
        Message message => message with { Seq = target.Seq, Epoch = target.Epoch },
        MultiDeviceEvent change => change with { Seq = target.Seq ?? change.Seq, Epoch = target.Epoch },
        ReadAck ack => ack with { Seq = target.Seq, Epoch = target.Epoch },
        _ => Payload,
    };
}

/// <summary>A user a push goes to, with the seq and epoch of the entry in their stream (null where none applies yet).</summary>
internal readonly record struct PushTarget(string UserId, long? Seq = null, string? Epoch = null);
