using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;
using RoamingHub.Tests.Infrastructure;

namespace RoamingHub.Tests.Storage;

/// <summary>
/// Group admin steps span a group's hash tag and each member's: a repeat of a call whose second step never ran
/// (the node died in between) finishes that step. The half-done state is written straight into Redis here.
/// </summary>
public sealed class RedisStoreRepairTests : RedisStoreTests
{
    [Fact]
    public async Task Repeating_a_create_whose_members_were_never_told_tells_them()
    {
        var (group, owner, member) = (TestIds.User("team"), TestIds.User("owner"), TestIds.User("member"));
        await Store.Groups.CreateGroupAsync(group, owner, [member], 1_790_000_000_000, default);
        await Db.KeyDeleteAsync(Keys.Groups(member));

        var repeat = await Assert.ThrowsAsync<RoamingException>(() => Store.Groups.CreateGroupAsync(group, owner, [member], 1_790_000_000_001, default).AsTask());

        Assert.Equal(ErrorCodes.AlreadyExists, repeat.Code);
        Assert.Equal([group], await Store.Groups.GetGroupsOfUserAsync(member, default));
    }

    [Fact]
    public async Task Repeating_a_removal_whose_member_side_never_ran_finishes_it()
    {
        var (group, owner, member) = (TestIds.User("team"), TestIds.User("owner"), TestIds.User("member"));
        await Store.Groups.CreateGroupAsync(group, owner, [member], 1_790_000_000_000, default);
        await Store.Messages.SendMessageAsync(new MessageDraft("m1", ChatTypes.GroupChat, owner, group, "text", "hi", null), 1_790_000_000_001, true, default);
        await Db.SetRemoveAsync(Keys.GroupMembers(ConversationRef.Group(group).ChatKey(member)), member);

        var repeat = await Assert.ThrowsAsync<RoamingException>(() => Store.Groups.RemoveGroupMemberAsync(group, member, 1_790_000_000_002, default).AsTask());

        Assert.Equal(ErrorCodes.NotFound, repeat.Code);
        Assert.Empty(await Store.Groups.GetGroupsOfUserAsync(member, default));
        Assert.Empty((await Store.Conversations.FetchConversationsAsync(member, "device", ConversationList.Active, null, 20, 1_790_000_000_002, default)).Items);
        Assert.Equal(
            [MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup],
            (await Store.Events.SyncEventsAsync(member, 0, 10, default)).Events.Select(e => e.Operation));
    }
}
