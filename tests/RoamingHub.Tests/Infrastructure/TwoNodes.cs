namespace RoamingHub.Tests.Infrastructure;

/// <summary>Two server nodes on the shared Redis under one fresh key prefix: a class fixture for multi-node tests.</summary>
public class TwoNodes : IDisposable
{
    public TwoNodes()
        : this(new Dictionary<string, string?>())
    {
    }

    protected TwoNodes(IReadOnlyDictionary<string, string?> settings)
    {
        A = RoamingNode.OnRedis(Prefix, settings);
        B = RoamingNode.OnRedis(Prefix, settings);
    }

    public string Prefix { get; } = TestIds.Prefix();

    public RoamingNode A { get; }

    public RoamingNode B { get; }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        GC.SuppressFinalize(this);
    }
}
