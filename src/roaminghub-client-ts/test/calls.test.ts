// Every hub method, over both protocols, against real nodes: typed results with exactly the generated keys.
import { describe, expect, inject, it } from "vitest";
import { ChatTypes, ContractKeys, ErrorCodes, HistoryDirections, RoamingHubError } from "../src/index.js";
import { clientFor, newUser, record, waitFor } from "./helpers.js";

/** The object has exactly the keys the C# contract declares (and so the generated TypeScript type). */
function expectKeys(value: unknown, keys: readonly string[]): void {
  expect(value).toBeTypeOf("object");
  expect(Object.keys(value as object).sort()).toEqual([...keys].sort());
}

describe.each(["json", "messagepack"] as const)("over %s", (protocol) => {
  it("every hub method answers its typed result with exactly the contract's keys", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const client = await clientFor(inject("nodeA"), alice, { protocol });
    const peer = await clientFor(inject("nodeB"), bob, { protocol });
    const acks = record(client);
    await client.start();
    await peer.start();
    const single = { conversationId: bob, chatType: ChatTypes.SingleChat };

    const sent = await client.sendMessage({ to: bob, chatType: ChatTypes.SingleChat, body: "hi", clientMsgId: `m-${alice}` });
    expectKeys(sent, ContractKeys.Message);
    expect(sent.seq).toBeTypeOf("number");
    expect(sent.timestamp).toBeTypeOf("number");
    expect(sent.timestamp).toBeGreaterThan(1_600_000_000_000);
    await client.sendMessage({ to: bob, chatType: ChatTypes.SingleChat, body: "second" });

    const conversations = await client.fetchConversations();
    expectKeys(conversations, ContractKeys.Page);
    expect(conversations.data.map((c) => c.conversationId)).toEqual([bob]);
    expectKeys(conversations.data[0], ContractKeys.Conversation);
    expectKeys(conversations.data[0]!.lastMessage, ContractKeys.Message);
    expect(conversations.data[0]!.pinnedTime).toBeNull();

    const pinned = await client.pinConversation({ ...single, isPinned: true });
    expectKeys(pinned, ContractKeys.PinResult);
    expect(pinned.isPinned).toBe(true);
    const pins = await client.fetchPinnedConversations({ pageSize: 10 });
    expectKeys(pins, ContractKeys.Page);
    expect(pins.data.map((c) => c.conversationId)).toEqual([bob]);

    const history = await client.fetchHistoryMessages({ ...single, direction: HistoryDirections.Up, pageSize: 10 });
    expectKeys(history, ContractKeys.Page);
    expect(history.data.map((m) => m.body)).toEqual(["second", "hi"]);
    history.data.forEach((m) => expectKeys(m, ContractKeys.Message));

    const ext = await client.updateConversationExt({ ...single, ext: "{\"draft\":\"x\"}" });
    expectKeys(ext, ContractKeys.UpdateExtResult);
    expect(ext.ext).toBe("{\"draft\":\"x\"}");

    const unread = await peer.getUnreadSummary();
    expectKeys(unread, ContractKeys.UnreadSummary);
    expect(unread).toEqual({ totalUnread: 2, conversationsWithUnread: 1, totalUnreadUnmuted: 2 });

    const read = await peer.markConversationRead({ conversationId: alice, chatType: ChatTypes.SingleChat });
    expectKeys(read, ContractKeys.MarkReadResult);
    expect(read.unreadCount).toBe(0);
    await waitFor(() => acks.entries.some((e) => e.kind === "readAck"), 30_000, "the read acknowledgement");
    const ack = acks.entries.find((e) => e.kind === "readAck")!.value;
    expectKeys(ack, ContractKeys.ReadAck);
    expect(ack).toMatchObject({ conversationId: bob, chatType: ChatTypes.SingleChat, readTimestamp: read.readTimestamp });

    const allRead = await client.markAllConversationsRead();
    expectKeys(allRead, ContractKeys.MarkAllReadResult);

    const state = await client.getSyncState();
    expectKeys(state, ContractKeys.SyncState);
    const events = await client.syncEvents({ sinceSeq: 0, limit: 200, epoch: state.epoch });
    expectKeys(events, ContractKeys.SyncEventsResult);
    expect(events.events.map((e) => e.seq)).toEqual(Array.from({ length: state.lastSeq }, (_, i) => i + 1));
    events.events.forEach((e) => expectKeys(e, ContractKeys.MultiDeviceEvent));
    expectKeys(events.events.find((e) => e.operation === "MESSAGE")!.message, ContractKeys.Message);

    const byId = await client.deleteRemoteMessagesWithIds({ ...single, msgIds: [sent.msgId] });
    expectKeys(byId, ContractKeys.DeleteRoamingResult);
    expect(byId.msgIds).toEqual([sent.msgId]);
    const byTime = await client.deleteRemoteMessagesBefore({ ...single, timestamp: sent.timestamp });
    expectKeys(byTime, ContractKeys.DeleteRoamingResult);
    expect(byTime.beforeTimestamp).toBe(sent.timestamp);

    const deleted = await client.deleteRemoteConversation({ ...single, deleteRoam: true });
    expectKeys(deleted, ContractKeys.DeleteConversationResult);
    expect(deleted.seq).toBe(byTime.seq! + 1);
    // Own changes move the position without being raised.
    await waitFor(() => client.position.seq === deleted.seq, 30_000, "the own change to count");
    expect(acks.entries.map((e) => e.kind)).toEqual(["readAck"]);
  });

  it("every conversation feature method answers its typed result with exactly the contract's keys", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const carol = newUser("carol");
    const client = await clientFor(inject("nodeA"), alice, { protocol });
    const seen = record(client);
    await client.start();
    const single = { conversationId: bob, chatType: ChatTypes.SingleChat };
    await client.sendMessage({ to: carol, chatType: ChatTypes.SingleChat, body: "to carol" });
    const kept = await client.sendMessage({ to: bob, chatType: ChatTypes.SingleChat, body: "kept" });
    const oops = await client.sendMessage({ to: bob, chatType: ChatTypes.SingleChat, body: "oops" });

    const one = await client.getConversation(single);
    expectKeys(one, ContractKeys.Conversation);
    expectKeys(one.lastMessage, ContractKeys.Message);
    expect(one).toMatchObject({ conversationId: bob, chatType: ChatTypes.SingleChat, muted: false, mutedUntil: null, markedUnread: false, marks: [] });
    expect(one.lastMessage!.msgId).toBe(oops.msgId);
    expect((await client.fetchConversations()).data.find((c) => c.conversationId === bob)).toEqual(one);

    const until = Date.now() + 3_600_000;
    const muted = await client.setConversationMuted({ ...single, muted: true, mutedUntil: until });
    expectKeys(muted, ContractKeys.MuteResult);
    expect(muted).toEqual({ muted: true, mutedUntil: until, seq: oops.seq! + 1, epoch: oops.epoch });
    // The same state again changes nothing: no seq.
    expect(await client.setConversationMuted({ ...single, muted: true, mutedUntil: until })).toEqual({ muted: true, mutedUntil: until, seq: null, epoch: null });

    const unread = await client.markConversationUnread(single);
    expectKeys(unread, ContractKeys.MarkUnreadResult);
    expect(unread).toEqual({ seq: muted.seq! + 1, epoch: oops.epoch });

    const marks = await client.setConversationMarks({ ...single, add: [19, 3, 1] });
    expectKeys(marks, ContractKeys.MarksResult);
    expect(marks).toEqual({ marks: [1, 3, 19], seq: unread.seq! + 1, epoch: oops.epoch });

    const byMark = await client.fetchConversations({ mark: 3 });
    expectKeys(byMark, ContractKeys.Page);
    expect(byMark.data.map((c) => c.conversationId)).toEqual([bob]);
    expectKeys(byMark.data[0], ContractKeys.Conversation);
    expect(byMark.data[0]).toMatchObject({ muted: true, mutedUntil: until, markedUnread: true, marks: [1, 3, 19] });
    expect((await client.fetchConversations({ mark: 4 })).data).toEqual([]);

    const summary = await client.getUnreadSummary();
    expectKeys(summary, ContractKeys.UnreadSummary);
    expect(summary).toEqual({ totalUnread: 0, conversationsWithUnread: 1, totalUnreadUnmuted: 0 });

    const recalled = await client.recallMessage({ ...single, msgId: oops.msgId });
    expectKeys(recalled, ContractKeys.RecallMessageResult);
    expect(recalled).toEqual({ msgId: oops.msgId, seq: marks.seq! + 1, epoch: oops.epoch });
    expect((await client.getConversation(single)).lastMessage!.msgId).toBe(kept.msgId);
    const history = await client.fetchHistoryMessages({ ...single, direction: HistoryDirections.Up, pageSize: 10 });
    expect(history.data.map((m) => m.msgId)).toEqual([kept.msgId]);

    const nobody = { conversationId: newUser("nobody"), chatType: ChatTypes.SingleChat };
    const batch = await client.deleteRemoteConversations({ conversations: [single, nobody, { conversationId: carol, chatType: ChatTypes.SingleChat }], deleteRoam: true });
    expectKeys(batch, ContractKeys.DeleteConversationsResult);
    batch.deleted.forEach((d) => expectKeys(d, ContractKeys.DeletedConversation));
    expect(batch.deleted).toEqual([
      { conversationId: bob, chatType: ChatTypes.SingleChat, seq: recalled.seq! + 1, epoch: oops.epoch },
      { conversationId: carol, chatType: ChatTypes.SingleChat, seq: recalled.seq! + 2, epoch: oops.epoch },
    ]);
    expect((await client.fetchConversations()).data).toEqual([]);
    const gone = await client.getConversation(single).catch((e: unknown) => e);
    expect((gone as RoamingHubError).code).toBe(ErrorCodes.NotFound);

    // Each deleted conversation's seq counts as applied, as every own change's does: the position reaches the last
    // one and nothing was raised on the device that made the changes.
    await waitFor(() => client.position.seq === recalled.seq! + 2, 30_000, "the own changes to count");
    expect((await client.getSyncState()).lastSeq).toBe(recalled.seq! + 2);
    expect(seen.entries).toEqual([]);
    expect(seen.resyncs).toEqual([]);
  });

  it("a failed call rejects with a RoamingHubError carrying the server's code", async () => {
    const client = await clientFor(inject("nodeA"), newUser("carol"), { protocol });
    await client.start();

    const error = await client.fetchConversations({ pageSize: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoamingHubError);
    expect((error as RoamingHubError).code).toBe(ErrorCodes.InvalidArgument);
    expect((error as RoamingHubError).message).toMatch(/^INVALID_ARGUMENT: .*pageSize/);
    const missing = await client.markConversationRead({ conversationId: "nobody-here", chatType: ChatTypes.SingleChat }).catch((e: unknown) => e);
    expect((missing as RoamingHubError).code).toBe(ErrorCodes.NotFound);
    const refused = async (call: () => Promise<unknown>) => (await call().then(() => undefined, (e: unknown) => e)) as RoamingHubError;
    const bob = { conversationId: newUser("bob"), chatType: ChatTypes.SingleChat };
    expect((await refused(() => client.getConversation(bob))).code).toBe(ErrorCodes.NotFound);
    const many = Array.from({ length: 51 }, (_, i) => ({ conversationId: `peer${i}`, chatType: ChatTypes.SingleChat }));
    const bad: [() => Promise<unknown>, string][] = [
      [() => client.setConversationMarks({ ...bob, add: [20] }), "add"],
      [() => client.fetchConversations({ mark: 20 }), "mark"],
      [() => client.recallMessage({ ...bob, msgId: "" }), "msgId"],
      [() => client.deleteRemoteConversations({ conversations: many }), "conversations"],
    ];
    for (const [call, field] of bad) {
      const error = await refused(call);
      expect(error).toBeInstanceOf(RoamingHubError);
      expect(error.message).toMatch(new RegExp(`^INVALID_ARGUMENT: .*\\b${field}\\b`));
      expect(error.code).toBe(ErrorCodes.InvalidArgument);
    }
    // The connection stays usable after a failed call.
    expect((await client.getUnreadSummary()).totalUnread).toBe(0);
  });
});
