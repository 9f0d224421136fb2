using RoamingHub.Contracts;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// A group message for more of a node's connections than one thread writes (Hubs/Delivery/LocalConnections.cs writes
/// larger fan-outs from thread-pool items of 16 connections each): every device gets each message once, live, in order.
/// </summary>
public sealed class GroupFanOutTests(GroupFanOutTests.Cluster cluster) : IClassFixture<GroupFanOutTests.Cluster>
{
    private const int Members = 40;
    private const int Sent = 3;

    public sealed class Cluster : TwoNodes;

    [Fact]
    public async Task A_message_to_forty_members_on_one_node_reaches_every_device_once_and_in_order()
    {
        var (alice, group) = (TestIds.User("alice"), TestIds.User("crowd"));
        var members = Enumerable.Range(0, Members).Select(i => TestIds.User($"m{i}")).ToList();
        await AdminCalls.GroupAsync(cluster.A.BaseAddress, HttpMethod.Post, AdminApi.Groups,
            new CreateGroupRequest { GroupId = group, Owner = alice, Members = members });
        await using var sender = await cluster.B.ConnectAsync(alice, "phone");
        var devices = new List<RoamingHub.Client.RoamingHubClient>();
        try
        {
            foreach (var member in members)
            {
                devices.Add(await cluster.A.ConnectAsync(member, "phone"));
            }

            var recorders = devices.Select(d => new Recorder(d)).ToList();
            for (var i = 0; i < Sent; i++)
            {
                await sender.SendMessageAsync(new SendMessageRequest { To = group, ChatType = ChatTypes.GroupChat, Body = $"hello {i}" });
            }

            foreach (var recorder in recorders)
            {
                var received = await recorder.WaitForMessagesAsync(Sent);
                Assert.Equal(Enumerable.Range(0, Sent).Select(i => $"hello {i}"), received.Select(m => m.Body));
                // Each arrived live, once: nothing had to be fetched from the stream, and nothing came twice.
                Assert.Equal(Enumerable.Range(0, Sent).Select(i => $"hello {i}"), recorder.RawMessages.Select(m => m.Body));
            }
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }
}
