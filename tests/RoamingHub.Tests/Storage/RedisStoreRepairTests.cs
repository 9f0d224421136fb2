using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;
using StackExchange.Redis;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Group admin steps span a group's hash tag and each member's: a repeat of a call whose member step failed or never
/// ran finishes that step and answers as a success would. Failures are injected for real: a member's <c>groups</c>
/// key is made a string, so Redis refuses that member's step with WRONGTYPE, then repaired before the repeat.
/// Half-done states a dead node would leave are also written straight into Redis.
/// </summary>
public sealed class RedisStoreRepairTests : RedisStoreTests
{
    private readonly string _group = TestIds.User("team");
    private readonly string _owner = TestIds.User("owner");
    private readonly string _bob = TestIds.User("bob");
    private readonly string _member = TestIds.User("member");

    private ConversationRef Chat => ConversationRef.Group(_group);

    /// <summary>Every step on the user's side fails from now on: the mirror of their groups is no set.</summary>
    private Task BreakAsync(string user) => Db.StringSetAsync(Keys.Groups(user), "not a set");

    private Task RepairAsync(string user) => Db.KeyDeleteAsync(Keys.Groups(user));

    private Task<SendOutcome> SendAsync(string from, string body, long now) =>
        Store.Messages.SendMessageAsync(new MessageDraft(Guid.NewGuid().ToString("N"), ChatTypes.GroupChat, from, _group, "text", body, null), now, true, default).AsTask();

    private async Task<IReadOnlyList<string>> OperationsAsync(string user) =>
        [.. (await Store.Events.SyncEventsAsync(user, 0, 100, default)).Events.Select(e => e.Operation)];

    private async Task<IReadOnlyList<string>> ListAsync(string user) =>
        [.. (await Store.Conversations.FetchConversationsAsync(user, "device", ConversationList.Active, null, 20, T0, default)).Items.Select(c => c.Conversation.Id)];

    private static IReadOnlyList<string> Sorted(params string[] users) => [.. users.Order(StringComparer.Ordinal)];

    [Fact]
    public async Task A_create_whose_member_step_failed_answers_the_group_when_repeated_and_completes_the_mirror()
    {
        await BreakAsync(_member);
        await Assert.ThrowsAsync<RedisServerException>(() => Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0, default).AsTask());
        await RepairAsync(_member);

        var repeat = (await Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0 + 1, default)).Group;

        Assert.Equal((_owner, T0), (repeat.Owner, repeat.CreatedTime));
        Assert.Equal(Sorted(_owner, _member), repeat.Members);
        Assert.Equal([_group], await Store.Groups.GetGroupsOfUserAsync(_member, default));
        Assert.Equal([_group], await Store.Groups.GetGroupsOfUserAsync(_owner, default));
    }

    [Fact]
    public async Task Repeating_a_create_whose_members_were_never_told_tells_them_and_answers_the_group()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0, default);
        await Db.KeyDeleteAsync(Keys.Groups(_member));

        var repeat = (await Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0 + 1, default)).Group;

        Assert.Equal(T0, repeat.CreatedTime);
        Assert.Equal([_group], await Store.Groups.GetGroupsOfUserAsync(_member, default));
    }

    [Fact]
    public async Task An_add_whose_member_step_failed_completes_when_repeated_so_the_member_can_pin_the_group()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [], T0, default);
        await BreakAsync(_member);
        await Assert.ThrowsAsync<RedisServerException>(() => Store.Groups.AddGroupMembersAsync(_group, [_member, _bob], default).AsTask());
        await RepairAsync(_member);

        var repeat = await Store.Groups.AddGroupMembersAsync(_group, [_member, _bob], default);
        var pinned = await Store.Conversations.PinConversationAsync(_member, Chat, true, "phone", T0 + 1, null, default);

        Assert.Empty(repeat);
        Assert.Equal([_group], await Store.Groups.GetGroupsOfUserAsync(_member, default));
        Assert.Equal([_group], await Store.Groups.GetGroupsOfUserAsync(_bob, default));
        Assert.True(pinned.IsPinned);
    }

    [Fact]
    public async Task A_removal_whose_member_step_failed_completes_when_repeated_and_tells_the_member_once()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0, default);
        await SendAsync(_owner, "before", T0 + 1);
        await BreakAsync(_member);
        await Assert.ThrowsAsync<RedisServerException>(() => Store.Groups.RemoveGroupMemberAsync(_group, _member, T0 + 2, default).AsTask());
        var meanwhile = await SendAsync(_owner, "after the first step", T0 + 3);
        await RepairAsync(_member);

        var repeat = await Store.Groups.RemoveGroupMemberAsync(_group, _member, T0 + 4, default);
        var third = await Assert.ThrowsAsync<RoamingException>(() => Store.Groups.RemoveGroupMemberAsync(_group, _member, T0 + 5, default).AsTask());

        Assert.Equal([_owner], meanwhile.Participants);
        Assert.Equal((MultiDeviceOperations.RemovedFromGroup, _group), (repeat!.Operation, repeat.ConversationId));
        Assert.Equal(ErrorCodes.NotFound, third.Code);
        Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(_member));
        Assert.Empty(await ListAsync(_member));
        Assert.Empty(await Store.Groups.GetGroupsOfUserAsync(_member, default));
    }

    [Fact]
    public async Task Repeating_a_removal_whose_member_side_never_ran_finishes_it_and_answers_the_event()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [_member], T0, default);
        await SendAsync(_owner, "hi", T0 + 1);
        await Db.SetRemoveAsync(Keys.GroupMembers(Chat.ChatKey(_member)), _member);

        var repeat = await Store.Groups.RemoveGroupMemberAsync(_group, _member, T0 + 2, default);

        Assert.Equal(MultiDeviceOperations.RemovedFromGroup, repeat!.Operation);
        Assert.Empty(await Store.Groups.GetGroupsOfUserAsync(_member, default));
        Assert.Empty(await ListAsync(_member));
        Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(_member));
    }

    [Fact]
    public async Task A_deletion_whose_member_step_failed_completes_when_repeated_and_only_then_is_NOT_FOUND()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [_bob, _member], T0, default);
        await SendAsync(_bob, "before", T0 + 1);
        await BreakAsync(_member);
        await Assert.ThrowsAsync<RedisServerException>(() => Store.Groups.DeleteGroupAsync(_group, T0 + 2, default).AsTask());
        Assert.Null(await Store.Groups.GetGroupAsync(_group, default));
        var tombstone = Keys.GroupDeletion(Chat.ChatKey(_owner));
        Assert.Equal([_member], (await Db.SetMembersAsync(tombstone)).Select(m => (string)m!));
        Assert.InRange(await Db.KeyTimeToLiveAsync(tombstone) ?? TimeSpan.Zero, TimeSpan.FromDays(30), TimeSpan.FromDays(31));
        await RepairAsync(_member);

        var repeat = await Store.Groups.DeleteGroupAsync(_group, T0 + 3, default);
        var third = await Assert.ThrowsAsync<RoamingException>(() => Store.Groups.DeleteGroupAsync(_group, T0 + 4, default).AsTask());

        Assert.Equal([(_member, MultiDeviceOperations.RemovedFromGroup)], repeat.Select(l => (l.UserId, l.Event?.Operation)));
        Assert.Equal(ErrorCodes.NotFound, third.Code);
        Assert.False(await Db.KeyExistsAsync(tombstone));
        foreach (var user in new[] { _owner, _bob, _member })
        {
            Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(user));
            Assert.Empty(await ListAsync(user));
            Assert.Empty(await Store.Groups.GetGroupsOfUserAsync(user, default));
        }

        Assert.False(await Db.KeyExistsAsync(Keys.Messages(Chat.ChatKey(_owner))));
    }

    [Fact]
    public async Task Re_creating_a_group_whose_deletion_failed_halfway_tells_the_former_member_first_and_never_reaches_them()
    {
        await Store.Groups.CreateGroupAsync(_group, _owner, [_bob, _member], T0, default);
        await SendAsync(_bob, "old", T0 + 1);
        await BreakAsync(_member);
        await Assert.ThrowsAsync<RedisServerException>(() => Store.Groups.DeleteGroupAsync(_group, T0 + 2, default).AsTask());
        await RepairAsync(_member);

        var created = await Store.Groups.CreateGroupAsync(_group, _owner, [_bob], T0 + 3, default);
        var sent = await SendAsync(_bob, "new", T0 + 4);

        Assert.Equal(T0 + 3, created.Group.CreatedTime);
        Assert.Equal(Sorted(_owner, _bob), created.Group.Members);
        Assert.Equal([(_member, MultiDeviceOperations.RemovedFromGroup)], created.FormerMembers.Select(l => (l.UserId, l.Event?.Operation)));
        Assert.False(await Db.KeyExistsAsync(Keys.GroupDeletion(Chat.ChatKey(_owner))));
        Assert.Equal(Sorted(_owner, _bob), sent.Participants.Order(StringComparer.Ordinal));
        Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(_member));
        Assert.Empty(await ListAsync(_member));
        Assert.Empty(await Store.Groups.GetGroupsOfUserAsync(_member, default));
        Assert.Equal(
            [MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup, MultiDeviceOperations.Message],
            await OperationsAsync(_bob));
    }
}
