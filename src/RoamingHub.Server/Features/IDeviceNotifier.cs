namespace RoamingHub.Server.Features;

/// <summary>
/// Delivers entries of users' streams to their devices on every node. Delivery never holds up the caller: pushes are
/// handed over and the call returns, so no slow or unreachable device delays another user's call; a device that
/// misses a push finds the entry in its stream.
/// </summary>
internal interface IDeviceNotifier
{
    /// <summary>Delivers <paramref name="pushes"/>; one call's pushes travel to other nodes together.</summary>
    void Deliver(params IReadOnlyList<Push> pushes);
}
