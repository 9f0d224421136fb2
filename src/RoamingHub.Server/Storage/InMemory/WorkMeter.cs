namespace RoamingHub.Server.Storage.InMemory;

/// <summary>
/// Counts the entries the embedded store's collections touch: each element an <see cref="AppendLog{T}"/> hands out
/// (binary-search probes included) and each id a <see cref="PositionSet"/> adds, finds, removes or drops. The counting
/// sits in the collections, not in the code that uses them, so a linear walk coming back anywhere shows in the count.
/// Tests read it to check the store's work per call; it costs one addition per touch. Every caller holds
/// <see cref="InMemoryState.Gate"/>.
/// </summary>
internal sealed class WorkMeter
{
    public long Touched { get; private set; }

    public void Touch(int count = 1) => Touched += count;
}
