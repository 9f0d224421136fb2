using RoamingHub.Contracts;
using RoamingHub.Server.Domain;
using RoamingHub.Server.Storage;

namespace RoamingHub.Tests.Storage;

/// <summary>Group chats, for every store.</summary>
public abstract partial class StoreContract
{
    private string GroupId => "g" + _alice;

    private ConversationRef GroupChat => ConversationRef.Group(GroupId);

    private MessageDraft GroupDraft(string from, string body) =>
        new(Guid.NewGuid().ToString("N"), ChatTypes.GroupChat, from, GroupId, "text", body, null);

    [Fact]
    public async Task A_group_message_is_stored_once_and_each_member_has_their_own_entry_and_unread()
    {
        var store = Store();
        var group = (await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _carol, _bob], T0, default)).Group;
        Assert.Equal(new[] { _alice, _bob, _carol }.Order(StringComparer.Ordinal), group.Members);

        var first = (await store.Messages.SendMessageAsync(GroupDraft(_alice, "hello"), T0 + 1, true, default)).Message;
        var second = (await store.Messages.SendMessageAsync(GroupDraft(_bob, "hi"), T0 + 2, true, default)).Message;

        Assert.Equal((GroupId, ChatTypes.GroupChat), (first.ToWire(_carol).ConversationId, first.ToWire(_carol).ChatType));
        Assert.Equal((1, second), ((await EntryAsync(store, _alice, GroupId)).UnreadCount, (await EntryAsync(store, _alice, GroupId)).LastMessage));
        Assert.Equal(1, (await EntryAsync(store, _bob, GroupId)).UnreadCount);
        Assert.Equal(2, (await EntryAsync(store, _carol, GroupId)).UnreadCount);
        Assert.Equal([first, second], await WalkHistoryAsync(store, _carol, GroupChat, older: false, 20, T0 + 3));

        await store.Conversations.MarkConversationReadAsync(_carol, GroupChat, T0 + 1, "phone", T0 + 5, default);
        await store.Messages.DeleteRemoteMessagesWithIdsAsync(_bob, GroupChat, [first.MsgId], "phone", T0 + 5, default);
        Assert.Equal(1, (await EntryAsync(store, _carol, GroupId)).UnreadCount);
        Assert.Equal([second], await WalkHistoryAsync(store, _bob, GroupChat, older: false, 20, T0 + 5));
        Assert.Equal([first, second], await WalkHistoryAsync(store, _alice, GroupChat, older: false, 20, T0 + 5));
    }

    [Fact]
    public async Task Non_members_are_refused_and_a_removed_member_loses_access_and_the_conversation()
    {
        var store = Store();
        await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob], T0, default);
        await store.Messages.SendMessageAsync(GroupDraft(_bob, "hi"), T0 + 1, true, default);

        var send = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.SendMessageAsync(GroupDraft(_carol, "let me in"), T0 + 2, true, default).AsTask());
        var read = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.FetchHistoryMessagesAsync(_carol, GroupChat, new HistoryQuery(true, null, 20), T0 + 2, default).AsTask());
        var pin = await Assert.ThrowsAsync<RoamingException>(() => store.Conversations.PinConversationAsync(_carol, GroupChat, true, "phone", T0 + 2, default).AsTask());
        Assert.All(new[] { send, read, pin }, e => Assert.Equal(ErrorCodes.Forbidden, e.Code));

        var removed = await store.Groups.RemoveGroupMemberAsync(GroupId, _bob, T0 + 3, default);

        Assert.Equal((MultiDeviceOperations.RemovedFromGroup, GroupId, ChatTypes.GroupChat), (removed!.Operation, removed.ConversationId, removed.ChatType));
        Assert.Empty(await ReadAllAsync(store, _bob, ConversationList.Active, 20, T0 + 3));
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_bob, T0, default));
        var after = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.FetchHistoryMessagesAsync(_bob, GroupChat, new HistoryQuery(true, null, 20), T0 + 4, default).AsTask());
        Assert.Equal(ErrorCodes.Forbidden, after.Code);
        Assert.Equal([_alice], (await store.Groups.GetGroupAsync(GroupId, default))!.Members);
        Assert.Empty(await store.Groups.GetGroupsOfUserAsync(_bob, default));
        var owner = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.RemoveGroupMemberAsync(GroupId, _alice, T0 + 5, default).AsTask());
        Assert.Equal(ErrorCodes.InvalidArgument, owner.Code);
    }

    [Fact]
    public async Task Group_membership_is_limited_and_groups_can_be_added_to_and_deleted()
    {
        var store = Store(o => o.MaxGroupMembers = 3);
        await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob], T0, default);

        var duplicate = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.CreateGroupAsync(GroupId, _alice, [], T0, default).AsTask());
        var added = await store.Groups.AddGroupMembersAsync(GroupId, [_bob, _carol], default);
        var full = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.AddGroupMembersAsync(GroupId, ["dave"], default).AsTask());
        var missing = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.AddGroupMembersAsync("nope" + GroupId, ["dave"], default).AsTask());

        Assert.Equal(ErrorCodes.AlreadyExists, duplicate.Code);
        Assert.Equal([_carol], added);
        Assert.Equal(ErrorCodes.InvalidArgument, full.Code);
        Assert.Equal(ErrorCodes.NotFound, missing.Code);
        Assert.Equal([GroupId], await store.Groups.GetGroupsOfUserAsync(_carol, default));

        await store.Messages.SendMessageAsync(GroupDraft(_carol, "x"), T0 + 1, true, default);
        var left = await store.Groups.DeleteGroupAsync(GroupId, T0 + 2, default);

        Assert.Equal(new[] { _alice, _bob, _carol }.Order(StringComparer.Ordinal), left.Select(l => l.UserId).Order(StringComparer.Ordinal));
        Assert.All(left, l => Assert.Equal(MultiDeviceOperations.RemovedFromGroup, l.Event!.Operation));
        Assert.Null(await store.Groups.GetGroupAsync(GroupId, default));
        Assert.Empty(await ReadAllAsync(store, _carol, ConversationList.Active, 20, T0 + 2));
        var gone = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.SendMessageAsync(GroupDraft(_carol, "x"), T0 + 3, true, default).AsTask());
        Assert.Equal(ErrorCodes.Forbidden, gone.Code);
    }

    private static (string GroupId, string Owner, long CreatedTime, string Members) Shape(Group group) =>
        (group.GroupId, group.Owner, group.CreatedTime, string.Join(",", group.Members));

    private static async Task<IReadOnlyList<string>> OperationsAsync(Stores store, string userId) =>
        [.. (await store.Events.SyncEventsAsync(userId, 0, 100, default)).Events.Select(e => e.Operation)];

    [Fact]
    public async Task A_repeated_create_answers_the_group_as_first_created_and_a_different_create_of_its_id_is_ALREADY_EXISTS()
    {
        var store = Store();
        var first = (await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob], T0, default)).Group;

        var repeat = await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _alice], T0 + 5, default);
        var otherMembers = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _carol], T0 + 6, default).AsTask());
        var otherOwner = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.CreateGroupAsync(GroupId, _bob, [_alice], T0 + 7, default).AsTask());

        Assert.Equal((GroupId, _alice, T0, string.Join(",", new[] { _alice, _bob }.Order(StringComparer.Ordinal))), Shape(repeat.Group));
        Assert.Equal(Shape(first), Shape(repeat.Group));
        Assert.Empty(repeat.FormerMembers);
        Assert.Equal((ErrorCodes.AlreadyExists, ErrorCodes.AlreadyExists), (otherMembers.Code, otherOwner.Code));
        Assert.Equal(Shape(first), Shape((await store.Groups.GetGroupAsync(GroupId, default))!));
        Assert.Equal([GroupId], await store.Groups.GetGroupsOfUserAsync(_bob, default));
        Assert.Empty(await store.Groups.GetGroupsOfUserAsync(_carol, default));
    }

    [Fact]
    public async Task A_repeated_add_answers_no_one_newly_added_and_leaves_every_requested_user_a_member()
    {
        var store = Store();
        await store.Groups.CreateGroupAsync(GroupId, _alice, [], T0, default);

        var added = await store.Groups.AddGroupMembersAsync(GroupId, [_bob, _carol], default);
        var repeat = await store.Groups.AddGroupMembersAsync(GroupId, [_carol, _bob], default);

        Assert.Equal(new[] { _bob, _carol }.Order(StringComparer.Ordinal), added.Order(StringComparer.Ordinal));
        Assert.Empty(repeat);
        Assert.Equal(new[] { _alice, _bob, _carol }.Order(StringComparer.Ordinal), (await store.Groups.GetGroupAsync(GroupId, default))!.Members);
        Assert.Equal([GroupId], await store.Groups.GetGroupsOfUserAsync(_bob, default));
        Assert.Equal([GroupId], await store.Groups.GetGroupsOfUserAsync(_carol, default));
    }

    [Fact]
    public async Task A_repeated_removal_is_NOT_FOUND_once_it_is_complete_and_tells_the_user_nothing_more()
    {
        var store = Store();
        await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob], T0, default);
        await store.Messages.SendMessageAsync(GroupDraft(_alice, "hi"), T0 + 1, true, default);
        var removed = await store.Groups.RemoveGroupMemberAsync(GroupId, _bob, T0 + 2, default);

        var repeat = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.RemoveGroupMemberAsync(GroupId, _bob, T0 + 3, default).AsTask());
        var stranger = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.RemoveGroupMemberAsync(GroupId, _carol, T0 + 3, default).AsTask());

        Assert.Equal(MultiDeviceOperations.RemovedFromGroup, removed!.Operation);
        Assert.Equal((ErrorCodes.NotFound, ErrorCodes.NotFound), (repeat.Code, stranger.Code));
        Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(store, _bob));
        Assert.Empty(await OperationsAsync(store, _carol));
    }

    [Fact]
    public async Task A_repeated_deletion_is_NOT_FOUND_once_it_is_complete_and_a_new_group_of_the_same_id_reaches_only_its_own_members()
    {
        var store = Store();
        await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _carol], T0, default);
        await store.Messages.SendMessageAsync(GroupDraft(_bob, "old"), T0 + 1, true, default);
        var left = await store.Groups.DeleteGroupAsync(GroupId, T0 + 2, default);

        var repeat = await Assert.ThrowsAsync<RoamingException>(() => store.Groups.DeleteGroupAsync(GroupId, T0 + 3, default).AsTask());
        var again = await store.Groups.CreateGroupAsync(GroupId, _alice, [_carol], T0 + 4, default);
        var sent = await store.Messages.SendMessageAsync(GroupDraft(_carol, "new"), T0 + 5, true, default);

        Assert.Equal(3, left.Count);
        Assert.Equal(ErrorCodes.NotFound, repeat.Code);
        Assert.Equal(T0 + 4, again.Group.CreatedTime);
        Assert.Empty(again.FormerMembers);
        Assert.Equal(new[] { _alice, _carol }.Order(StringComparer.Ordinal), sent.Participants.Order(StringComparer.Ordinal));
        Assert.Equal([MultiDeviceOperations.Message, MultiDeviceOperations.RemovedFromGroup], await OperationsAsync(store, _bob));
        Assert.Empty(await ReadAllAsync(store, _bob, ConversationList.Active, 20, T0 + 5));
        Assert.Empty(await store.Groups.GetGroupsOfUserAsync(_bob, default));
        Assert.Equal([sent.Message], await WalkHistoryAsync(store, _carol, GroupChat, older: false, 20, T0 + 5));
        var closed = await Assert.ThrowsAsync<RoamingException>(() => store.Messages.FetchHistoryMessagesAsync(_bob, GroupChat, new HistoryQuery(true, null, 20), T0 + 5, default).AsTask());
        Assert.Equal(ErrorCodes.Forbidden, closed.Code);
    }
}
