// The stream guarantees across two nodes: each entry exactly once, in seq order, own changes slotted in, resync
// when the position cannot be replayed, and a persisted position resumed by a new client instance.
import { describe, expect, inject, it } from "vitest";
import { ChatTypes, MultiDeviceOperations, type MultiDeviceEvent, type PinResult, type StreamPosition } from "../src/index.js";
import { clientFor, newUser, record, waitFor } from "./helpers.js";

const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe("the stream", () => {
  it("a pin on one device (node A) reaches the other device (node B) once, and never the device that made it", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const phone = await clientFor(inject("nodeA"), alice, { deviceId: "phone" });
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web" });
    const onPhone = record(phone);
    const onWeb = record(web);
    await phone.start();
    await web.start();

    const pinned = await phone.pinConversation({ conversationId: bob, chatType: ChatTypes.SingleChat, isPinned: true });
    await waitFor(() => onWeb.entries.length >= 1, 30_000, "the pin on the other device");
    const unpinned = await phone.pinConversation({ conversationId: bob, chatType: ChatTypes.SingleChat, isPinned: false });
    await waitFor(() => onWeb.entries.length >= 2, 30_000, "the unpin on the other device");
    await waitFor(() => phone.position.seq === unpinned.seq, 30_000, "the phone to count its own changes");

    expect(onWeb.entries.map((e) => [e.seq, (e.value as { operation: string }).operation, (e.value as { fromDeviceId: string }).fromDeviceId])).toEqual([
      [pinned.seq, MultiDeviceOperations.ConversationPinned, "phone"],
      [unpinned.seq, MultiDeviceOperations.ConversationUnpinned, "phone"],
    ]);
    expect(onPhone.entries).toEqual([]);
    expect(web.position).toEqual({ seq: unpinned.seq, epoch: unpinned.epoch });
  });

  it("a mute, an unread mark, marks and a recall on one device (node A) reach the other device (node B) once, in order, with their fields", async () => {
    const alice = newUser("alice");
    const bob = newUser("bob");
    const phone = await clientFor(inject("nodeA"), alice, { deviceId: "phone" });
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web", protocol: "json" });
    const onPhone = record(phone);
    const onWeb = record(web);
    await phone.start();
    await web.start();
    const single = { conversationId: bob, chatType: ChatTypes.SingleChat };

    const oops = await phone.sendMessage({ to: bob, chatType: ChatTypes.SingleChat, body: "oops" });
    const until = Date.now() + 3_600_000;
    const muted = await phone.setConversationMuted({ ...single, muted: true, mutedUntil: until });
    const unread = await phone.markConversationUnread(single);
    const marks = await phone.setConversationMarks({ ...single, add: [7, 2] });
    const recalled = await phone.recallMessage({ ...single, msgId: oops.msgId });
    const unmuted = await phone.setConversationMuted({ ...single, muted: false });
    await waitFor(() => web.position.seq === unmuted.seq, 30_000, "the changes on the other device");
    await waitFor(() => phone.position.seq === unmuted.seq, 30_000, "the phone to count its own changes");

    expect(onWeb.entries.map((e) => [e.kind, e.seq])).toEqual([
      ["message", oops.seq],
      ["event", muted.seq],
      ["event", unread.seq],
      ["event", marks.seq],
      ["event", recalled.seq],
      ["event", unmuted.seq],
    ]);
    const events = onWeb.entries.slice(1).map((e) => e.value as MultiDeviceEvent);
    const common = { conversationId: bob, chatType: ChatTypes.SingleChat, fromDeviceId: "phone", epoch: oops.epoch };
    expect(events[0]).toMatchObject({ ...common, operation: MultiDeviceOperations.ConversationMuted, mutedUntil: until });
    expect(events[1]).toMatchObject({ ...common, operation: MultiDeviceOperations.ConversationMarkedUnread });
    expect(events[2]).toMatchObject({ ...common, operation: MultiDeviceOperations.ConversationMarksUpdated, marks: [2, 7] });
    expect(events[3]).toMatchObject({ ...common, operation: MultiDeviceOperations.MessageRecalled, msgId: oops.msgId });
    expect(events[4]).toMatchObject({ ...common, operation: MultiDeviceOperations.ConversationUnmuted, mutedUntil: null });
    expect(onPhone.entries).toEqual([]);
    // What the other device now reads agrees with the events it was given.
    const seenOnWeb = await web.getConversation(single);
    expect(seenOnWeb).toMatchObject({ muted: false, mutedUntil: null, markedUnread: true, marks: [2, 7], lastMessage: null });
  });

  it("a batch deletion on one device (node A) raises one CONVERSATION_DELETED per deleted conversation on the other (node B)", async () => {
    const alice = newUser("alice");
    const peers = [newUser("bob"), newUser("carol"), newUser("dave")];
    const phone = await clientFor(inject("nodeA"), alice, { deviceId: "phone" });
    const web = await clientFor(inject("nodeB"), alice, { deviceId: "web" });
    const onPhone = record(phone);
    const onWeb = record(web);
    await phone.start();
    await web.start();
    for (const peer of peers) {
      await phone.sendMessage({ to: peer, chatType: ChatTypes.SingleChat, body: "hi" });
    }

    const targets = [peers[2]!, newUser("nobody"), peers[0]!, peers[1]!].map((conversationId) => ({ conversationId, chatType: ChatTypes.SingleChat }));
    const result = await phone.deleteRemoteConversations({ conversations: targets, deleteRoam: false });
    const last = result.deleted.at(-1)!.seq;
    await waitFor(() => web.position.seq === last, 30_000, "the deletions on the other device");
    await waitFor(() => phone.position.seq === last, 30_000, "the phone to count each deletion as its own");

    expect(result.deleted.map((d) => d.conversationId)).toEqual([peers[2], peers[0], peers[1]]);
    const deletions = onWeb.entries.filter((e) => e.kind === "event").map((e) => e.value as MultiDeviceEvent);
    expect(deletions.map((e) => [e.seq, e.operation, e.conversationId, e.deleteRoam, e.fromDeviceId])).toEqual(
      result.deleted.map((d) => [d.seq, MultiDeviceOperations.ConversationDeleted, d.conversationId, false, "phone"]),
    );
    expect(onWeb.entries.map((e) => e.kind)).toEqual(["message", "message", "message", "event", "event", "event"]);
    expect(onPhone.entries).toEqual([]);
    expect((await web.fetchConversations()).data).toEqual([]);
  });

  it("every entry is raised exactly once and in seq order while own calls and pushes from two nodes interleave", async () => {
    const alice = newUser("alice");
    const senders = [newUser("bob"), newUser("carol")];
    // A long grace: a gap is most often an own change whose result is a moment behind a push, not a lost entry.
    const one = await clientFor(inject("nodeA"), alice, { deviceId: "one", gapGraceMs: 2_000 });
    const two = await clientFor(inject("nodeB"), alice, { deviceId: "two", gapGraceMs: 2_000 });
    const bob = await clientFor(inject("nodeB"), senders[0]!);
    const carol = await clientFor(inject("nodeA"), senders[1]!);
    const devices = [
      { client: one, seen: record(one), own: [] as number[] },
      { client: two, seen: record(two), own: [] as number[] },
    ];
    await Promise.all([one.start(), two.start(), bob.start(), carol.start()]);
    // Both conversations exist before the devices change them.
    await bob.sendMessage({ to: alice, chatType: ChatTypes.SingleChat, body: "hello" });
    await carol.sendMessage({ to: alice, chatType: ChatTypes.SingleChat, body: "hello" });
    const start = (await one.getSyncState()).lastSeq;

    const rounds = 15;
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < rounds; i++) {
      calls.push(bob.sendMessage({ to: alice, chatType: ChatTypes.SingleChat, body: `b${i}` }));
      calls.push(carol.sendMessage({ to: alice, chatType: ChatTypes.SingleChat, body: `c${i}` }));
      devices.forEach((device, d) => {
        calls.push(
          device.client
            .updateConversationExt({ conversationId: senders[d]!, chatType: ChatTypes.SingleChat, ext: `ext-${i}` })
            .then((r) => void (r.seq != null && device.own.push(r.seq))),
        );
        calls.push(
          device.client
            .pinConversation({ conversationId: senders[(d + i) % 2]!, chatType: ChatTypes.SingleChat, isPinned: i % 2 === 0 })
            .then((r) => void (r.seq != null && device.own.push(r.seq))),
        );
      });
    }
    await Promise.allSettled(calls);
    const last = (await one.getSyncState()).lastSeq;
    expect(last).toBeGreaterThan(start + 2 * rounds);

    for (const device of devices) {
      await waitFor(() => device.client.position.seq! >= last, 60_000, "every entry to be applied");
      const raised = device.seen.entries.map((e) => e.seq!).filter((seq) => seq > start);
      // In order, each once; together with the device's own changes, every seq of the stream.
      expect(raised).toEqual([...raised].sort((a, b) => a - b));
      expect(new Set(raised).size).toBe(raised.length);
      expect([...raised, ...device.own].sort((a, b) => a - b)).toEqual(range(start + 1, last));
    }

    const bodies = devices[0]!.seen.entries.filter((e) => e.seq! > start).filter((e) => e.kind === "message").map((e) => (e.value as { body: string }).body);
    expect(bodies.filter((b) => b.startsWith("b"))).toEqual(range(0, rounds - 1).map((i) => `b${i}`));
    expect(bodies.filter((b) => b.startsWith("c"))).toEqual(range(0, rounds - 1).map((i) => `c${i}`));
  });

  it("raises resyncRequired when the saved position is of another epoch, and goes on from the server's position", async () => {
    const alice = newUser("alice");
    const first = await clientFor(inject("nodeA"), alice);
    await first.start();
    const pin = await first.pinConversation({ conversationId: newUser("bob"), chatType: ChatTypes.SingleChat, isPinned: true });
    await first.stop();

    const resumed = await clientFor(inject("nodeB"), alice, { initialPosition: { seq: 1, epoch: "not-the-epoch" } });
    const seen = record(resumed);
    await resumed.start();
    await waitFor(() => seen.resyncs.length > 0, 30_000, "resyncRequired");

    expect(seen.resyncs).toEqual([{ lastSeq: pin.seq, epoch: pin.epoch }]);
    expect(resumed.position).toEqual({ seq: pin.seq, epoch: pin.epoch });
    expect(seen.entries).toEqual([]);
  });

  it("onPositionChanged persists the position and a new client instance with it as initialPosition replays exactly what it missed", async () => {
    const alice = newUser("alice");
    const peers = [newUser("bob"), newUser("carol"), newUser("dave"), newUser("erin"), newUser("fay")];
    const other = await clientFor(inject("nodeA"), alice, { deviceId: "other" });
    await other.start();
    let saved: StreamPosition = { seq: null, epoch: null };
    const saves: StreamPosition[] = [];
    const first = await clientFor(inject("nodeB"), alice, {
      deviceId: "web",
      onPositionChanged: (p) => {
        saved = p;
        saves.push(p);
      },
    });
    await first.start();

    const before: PinResult[] = [];
    for (const peer of peers.slice(0, 2)) {
      before.push(await other.pinConversation({ conversationId: peer, chatType: ChatTypes.SingleChat, isPinned: true }));
    }
    await waitFor(() => saved.seq === before[1]!.seq, 30_000, "the position to be saved");
    // The starting position (0, a new user's) first, then each entry's.
    expect(saves.map((p) => p.seq)).toEqual([0, ...before.map((r) => r.seq)]);
    expect(saved.epoch).toBe(before[1]!.epoch);
    await first.stop();

    const missed: PinResult[] = [];
    for (const peer of peers.slice(2)) {
      missed.push(await other.pinConversation({ conversationId: peer, chatType: ChatTypes.SingleChat, isPinned: true }));
    }

    const next = await clientFor(inject("nodeA"), alice, { deviceId: "web", initialPosition: saved, protocol: "json" });
    const seen = record(next);
    await next.start();
    await waitFor(() => next.position.seq === missed[2]!.seq, 30_000, "the missed entries");
    expect(seen.entries.map((e) => [e.seq, (e.value as { conversationId: string }).conversationId])).toEqual(
      missed.map((r, i) => [r.seq, peers[2 + i]]),
    );
    expect(seen.resyncs).toEqual([]);
  });
});
