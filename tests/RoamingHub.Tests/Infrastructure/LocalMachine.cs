using System.Net;
using System.Net.Sockets;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>Where the tests' own processes (Redis, nodes, peers, scripts) find their files and a port of their own.</summary>
public static class LocalMachine
{
    /// <summary>A loopback port nothing listened on a moment ago.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The folder holding RoamingHub.sln, found upward from the test build's output.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RoamingHub.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: RoamingHub.sln was not found above " + AppContext.BaseDirectory);
    }
}
