namespace RoamingHub.Tests.Infrastructure;

/// <summary>Unique names so tests sharing one Redis or one node never see each other's data.</summary>
public static class TestIds
{
    public static string Prefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    public static string User(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..8]}";
}
