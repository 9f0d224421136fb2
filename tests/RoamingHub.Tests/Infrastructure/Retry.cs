using Microsoft.AspNetCore.SignalR;

namespace RoamingHub.Tests.Infrastructure;

/// <summary>What a well-behaved client does with a clientOpId: repeat the call until the server acknowledges it.</summary>
public static class Retry
{
    public static async Task<T> UntilAcknowledgedAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is HubException or InvalidOperationException or TimeoutException or OperationCanceledException or IOException)
            {
                await Task.Delay(50);
            }
        }
    }
}
