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
        var group = await store.Groups.CreateGroupAsync(GroupId, _alice, [_bob, _carol, _bob], T0, default);
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
        Assert.Equal(new UnreadSummary(), await store.Conversations.GetUnreadSummaryAsync(_bob, default));
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
}
