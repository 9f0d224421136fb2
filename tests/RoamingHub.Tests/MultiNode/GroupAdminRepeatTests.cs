using System.Diagnostics;
using System.Net;
using RoamingHub.Client;
using RoamingHub.Contracts;
using RoamingHub.Server.Storage.Redis;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace RoamingHub.Tests.MultiNode;

/// <summary>
/// Group admin calls that fail between their steps, through the admin API with devices connected to two nodes. The
/// failure is injected for real: one member's <c>groups</c> key is made a string, so Redis refuses that member's
/// step with WRONGTYPE and the call answers 503; the key is then repaired and the call repeated, as an operator
/// would. The repeat completes everything, and a removed member receives none of the group's next messages.
/// </summary>
public sealed class GroupAdminRepeatTests(GroupAdminRepeatTests.Cluster cluster, ITestOutputHelper output) : IClassFixture<GroupAdminRepeatTests.Cluster>
{
    private const int Afterwards = 5;

    public sealed class Cluster : TwoNodes;

    private RedisKeys Keys => new(cluster.Prefix);

    private static IDatabase Db => RedisServer.Instance.Multiplexer.GetDatabase();

    private Uri Admin => cluster.A.BaseAddress;

    private Task BreakAsync(string user) => Db.StringSetAsync(Keys.Groups(user), "not a set");

    private Task RepairAsync(string user) => Db.KeyDeleteAsync(Keys.Groups(user));

    private static SendMessageRequest ToGroup(string groupId, string body) => new() { To = groupId, ChatType = ChatTypes.GroupChat, Body = body };

    private static CreateGroupRequest Create(string groupId, string owner, params string[] members) => new() { GroupId = groupId, Owner = owner, Members = members };

    private static PinConversationRequest PinGroup(string groupId) => new() { ConversationId = groupId, ChatType = ChatTypes.GroupChat, IsPinned = true };

    [Fact]
    public async Task A_removal_that_failed_between_its_steps_answers_204_when_repeated_and_the_member_gets_one_notice_and_no_message()
    {
        var (alice, bob, carol, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("team"));
        await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, carol));
        await using var alicePhone = await cluster.A.ConnectAsync(alice, "phone");
        await using var bobPhone = await cluster.B.ConnectAsync(bob, "phone");
        await using var carolPhone = await cluster.B.ConnectAsync(carol, "phone");
        await using var carolLaptop = await cluster.A.ConnectAsync(carol, "laptop", RoamingHubProtocol.Json);
        var (atBob, atCarol) = (new Recorder(bobPhone), new[] { new Recorder(carolPhone), new Recorder(carolLaptop) });
        await alicePhone.SendMessageAsync(ToGroup(group, "before"));
        await Task.WhenAll(atCarol.Select(r => r.WaitForMessagesAsync(1)));

        await BreakAsync(carol);
        var failed = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupMember(group, carol));
        await RepairAsync(carol);
        var repeated = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupMember(group, carol));
        var third = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupMember(group, carol));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent, HttpStatusCode.NotFound), (failed, repeated, third));
        foreach (var device in atCarol)
        {
            Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await device.WaitForEventsAsync(1)).Single().Operation);
        }

        var figures = await GroupDeliveryCheck.AssertOnlyRemainingMembersReceiveAsync(alicePhone, group, Afterwards, [atBob], carol, atCarol);
        Assert.All(atCarol, device => Assert.Equal(1, GroupDeliveryCheck.Removals(device, group)));
        Assert.All(atCarol, device => Assert.Single(device.RawEvents));
        Assert.DoesNotContain((await carolPhone.FetchConversationsAsync()).Data, c => c.ConversationId == group);
        output.WriteLine($"removal: {failed:D}, then {repeated:D}, then {third:D}; REMOVED_FROM_GROUP per device of the member: {string.Join(", ", atCarol.Select(d => d.RawEvents.Count))}; {figures}");
    }

    [Fact]
    public async Task A_deletion_that_failed_between_its_steps_answers_204_when_repeated_then_404_and_tells_each_member_once()
    {
        var (alice, bob, carol, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("team"));
        await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, carol));
        await using var bobPhone = await cluster.A.ConnectAsync(bob, "phone");
        await using var carolPhone = await cluster.B.ConnectAsync(carol, "phone");
        var (atBob, atCarol) = (new Recorder(bobPhone), new Recorder(carolPhone));
        await bobPhone.SendMessageAsync(ToGroup(group, "before"));
        await atCarol.WaitForMessagesAsync(1);

        await BreakAsync(carol);
        var failed = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupPath(group));
        var failedAt = Stopwatch.StartNew();
        await RepairAsync(carol);
        var repeated = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupPath(group));
        var third = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupPath(group));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.NoContent, HttpStatusCode.NotFound), (failed, repeated, third));
        Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await atCarol.WaitForEventsAsync(1)).Single().Operation);
        // Bob was told by the attempt that failed for Carol: his stream holds the event, but the failed call pushed
        // nothing, so his client finds it when it next catches up (its sync probe).
        Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await atBob.WaitForEventsAsync(1)).Single().Operation);
        var bobCaughtUp = failedAt.Elapsed;
        var direct = await bobPhone.SendMessageAsync(new SendMessageRequest { To = carol, ChatType = ChatTypes.SingleChat, Body = "marker" });
        await GroupDeliveryCheck.UntilAsync(() => atCarol.Messages.Any(m => m.MsgId == direct.MsgId), "the marker");
        Assert.Equal(1, GroupDeliveryCheck.Removals(atCarol, group));
        Assert.Equal(1, GroupDeliveryCheck.Removals(atBob, group));
        Assert.DoesNotContain((await carolPhone.FetchConversationsAsync()).Data, c => c.ConversationId == group);
        Assert.Empty(await Db.SetMembersAsync(Keys.Groups(carol)));
        output.WriteLine($"deletion: {failed:D}, then {repeated:D}, then {third:D}; REMOVED_FROM_GROUP raised: {GroupDeliveryCheck.Removals(atCarol, group)} at the member whose step failed, {GroupDeliveryCheck.Removals(atBob, group)} at the other ({bobCaughtUp.TotalSeconds:F1} s after the failed call, through his client's catch-up; {atBob.RawEvents.Count} live pushes)");
    }

    [Fact]
    public async Task A_group_re_created_after_a_deletion_that_failed_halfway_tells_the_former_member_first_and_never_reaches_them()
    {
        var (alice, bob, carol, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("carol"), TestIds.User("team"));
        await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, carol));
        await using var alicePhone = await cluster.A.ConnectAsync(alice, "phone");
        await using var bobPhone = await cluster.B.ConnectAsync(bob, "phone");
        await using var carolPhone = await cluster.B.ConnectAsync(carol, "phone");
        await using var carolLaptop = await cluster.A.ConnectAsync(carol, "laptop");
        var (atBob, atCarol) = (new Recorder(bobPhone), new[] { new Recorder(carolPhone), new Recorder(carolLaptop) });
        await alicePhone.SendMessageAsync(ToGroup(group, "old"));
        await Task.WhenAll(atCarol.Select(r => r.WaitForMessagesAsync(1)));

        await BreakAsync(carol);
        var failed = await AdminCalls.StatusAsync(Admin, HttpMethod.Delete, AdminApi.GroupPath(group));
        await RepairAsync(carol);
        var recreated = await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), recreated.Members);
        foreach (var device in atCarol)
        {
            Assert.Equal(MultiDeviceOperations.RemovedFromGroup, (await device.WaitForEventsAsync(1)).Single().Operation);
        }

        var figures = await GroupDeliveryCheck.AssertOnlyRemainingMembersReceiveAsync(alicePhone, group, Afterwards, [atBob], carol, atCarol);
        Assert.All(atCarol, device => Assert.Equal(1, GroupDeliveryCheck.Removals(device, group)));
        Assert.DoesNotContain((await carolPhone.FetchConversationsAsync()).Data, c => c.ConversationId == group);
        output.WriteLine($"deletion {failed:D}, re-creation 200 without the member; {figures}");
    }

    [Fact]
    public async Task A_create_and_an_add_that_failed_between_their_steps_answer_200_when_repeated_and_leave_every_member_a_member()
    {
        var (alice, bob, dave, group) = (TestIds.User("alice"), TestIds.User("bob"), TestIds.User("dave"), TestIds.User("team"));
        await using var bobPhone = await cluster.B.ConnectAsync(bob, "phone");
        await using var davePhone = await cluster.A.ConnectAsync(dave, "phone");

        await BreakAsync(bob);
        var failedCreate = await AdminCalls.StatusAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob));
        await RepairAsync(bob);
        var created = await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, bob, alice));
        var conflicting = await AdminCalls.StatusAsync(Admin, HttpMethod.Post, AdminApi.Groups, Create(group, alice, dave));
        var bobPinned = await bobPhone.PinConversationAsync(PinGroup(group));

        await BreakAsync(dave);
        var failedAdd = await AdminCalls.StatusAsync(Admin, HttpMethod.Post, AdminApi.GroupMembers(group), new AddGroupMembersRequest { Members = [dave] });
        await RepairAsync(dave);
        var added = await AdminCalls.GroupAsync(Admin, HttpMethod.Post, AdminApi.GroupMembers(group), new AddGroupMembersRequest { Members = [dave] });
        var davePinned = await davePhone.PinConversationAsync(PinGroup(group));

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable), (failedCreate, conflicting, failedAdd));
        Assert.Equal(alice, created.Owner);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), created.Members);
        Assert.Equal(new[] { alice, bob, dave }.Order(StringComparer.Ordinal), added.Members);
        Assert.True(bobPinned.IsPinned && davePinned.IsPinned);
        Assert.Equal([group], (await Db.SetMembersAsync(Keys.Groups(dave))).Select(g => (string)g!));
        output.WriteLine($"create: {failedCreate:D}, then 200; add: {failedAdd:D}, then 200; both members could pin the group afterwards");
    }
}
