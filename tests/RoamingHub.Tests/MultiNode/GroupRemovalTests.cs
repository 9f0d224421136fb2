using System.Net;
using Microsoft.AspNetCore.SignalR.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using Xunit.Abstractions;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Membership is authoritative: a member removed through the admin API receives none of the group's next messages,
/// whatever the state of presence records or of the node their devices are connected to, and the remaining members
/// receive every one. Delivery that leaned on presence records, or on what a node remembered of its connections'
/// groups, would fail these.
/// </summary>
public sealed class GroupRemovalTests(GroupRemovalTests.Cluster cluster, ITestOutputHelper output) : IClassFixture<GroupRemovalTests.Cluster>
{
    private const int Afterwards = 5;

    public sealed class Cluster : TwoNodes;

    private static CreateGroupRequest Create(string groupId, string owner, params string[] members) => new() { GroupId = groupId, Owner = owner, Members = members };

    private static SendMessageRequest ToGroup(string groupId, string body) => new() { To = groupId, ChatType = ChatTypes.GroupChat, Body = body };

    [Fact]
    public async Task A_member_removed_after_the_presence_records_were_deleted_receives_none_of_the_groups_next_messages()
    {
        var (alice, bob, carol, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("team"));
        await AdminCalls.GroupAsync(cluster.A.BaseAddress, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, carol));
        await using var alicePhone = await cluster.A.ConnectAsync(alice, "phone");
        await using var bobPhone = await cluster.B.ConnectAsync(bob, "phone");
        await using var carolPhone = await cluster.B.ConnectAsync(carol, "phone");
        await using var carolLaptop = await cluster.A.ConnectAsync(carol, "laptop");
        var (atBob, atCarol) = (new Recorder(bobPhone), new[] { new Recorder(carolPhone), new Recorder(carolLaptop) });
        await alicePhone.SendMessageAsync(ToGroup(group, "before"));
        await Task.WhenAll(atCarol.Select(r => r.WaitForMessagesAsync(1)));

        // As a Redis restart without persistence, or an expiry, would leave them: no presence record of anyone.
        var keys = new RedisKeys(cluster.Prefix);
        var db = RedisServer.Instance.Multiplexer.GetDatabase();
        var deleted = await db.KeyDeleteAsync([keys.Connections(alice), keys.Connections(bob), keys.Connections(carol)]);
        var removed = await AdminCalls.StatusAsync(cluster.A.BaseAddress, HttpMethod.Delete, AdminApi.GroupMember(group, carol));

        Assert.Equal(3, deleted);
        Assert.Equal(HttpStatusCode.NoContent, removed);
        foreach (var device in atCarol)
        {
            Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await device.WaitForEventsAsync(1)).Single().Operation);
        }

        var figures = await GroupDeliveryCheck.AssertOnlyRemainingMembersReceiveAsync(alicePhone, group, Afterwards, [atBob], carol, atCarol);
        output.WriteLine($"presence records deleted: {deleted}; {figures}");
    }

    [Fact]
    public async Task A_member_removed_while_their_node_was_killed_receives_none_of_the_groups_next_messages_once_it_is_back()
    {
        var (alice, bob, carol, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("team"));
        using var doomed = new NodeProcess(RedisServer.Instance.ConnectionString, cluster.Prefix);
        await AdminCalls.GroupAsync(cluster.A.BaseAddress, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, carol));
        await using var alicePhone = await cluster.A.ConnectAsync(alice, "phone");
        // Bob stays on the node that dies with Carol, so a marker reaching him proves that node delivers again.
        await using var bobPhone = await RoamingNode.ConnectAsync(doomed.BaseAddress, bob, "phone", reconnect: true);
        await using var carolPhone = await RoamingNode.ConnectAsync(doomed.BaseAddress, carol, "phone", reconnect: true);
        var (atBob, atCarol) = (new Recorder(bobPhone), new Recorder(carolPhone));
        await alicePhone.SendMessageAsync(ToGroup(group, "before"));
        await atCarol.WaitForMessagesAsync(1);

        doomed.Kill();
        var removed = await AdminCalls.StatusAsync(cluster.A.BaseAddress, HttpMethod.Delete, AdminApi.GroupMember(group, carol));
        var restarting = DateTime.UtcNow;
        doomed.Start();
        await GroupDeliveryCheck.UntilAsync(
            () => bobPhone.Connection.State == HubConnectionState.Connected && carolPhone.Connection.State == HubConnectionState.Connected,
            "both devices to reconnect to the restarted node");
        var reconnectedAfter = DateTime.UtcNow - restarting;

        Assert.Equal(HttpStatusCode.NoContent, removed);
        Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await atCarol.WaitForEventsAsync(1)).Single().Operation);
        var figures = await GroupDeliveryCheck.AssertOnlyRemainingMembersReceiveAsync(alicePhone, group, Afterwards, [atBob], carol, [atCarol]);
        Assert.Equal(1, GroupDeliveryCheck.Removals(atCarol, group));
        output.WriteLine($"node restarted and both devices reconnected within {reconnectedAfter.TotalSeconds:F1} s; {figures}");
    }
}
