// The sequencer alone, against a host that records what it is asked: the rules that need no server to show.
import { describe, expect, it } from "vitest";
import type { MultiDeviceEvent, SyncEventsRequest, SyncEventsResult } from "../src/index.js";
import { EventSequencer, type Entry, type SequencerHost, type StreamPosition } from "../src/sequencer.js";
import { waitFor } from "./servers.js";

function host(overrides: Partial<SequencerHost> = {}): SequencerHost & { raised: Entry[]; resyncs: unknown[]; positions: StreamPosition[] } {
  const recorded = { raised: [] as Entry[], resyncs: [] as unknown[], positions: [] as StreamPosition[] };
  return {
    ...recorded,
    isConnected: () => true,
    getSyncState: async () => ({ lastSeq: 0, epoch: "e1" }),
    syncEvents: async (): Promise<SyncEventsResult> => ({ events: [], lastSeq: 0, epoch: "e1", hasMore: false, resyncRequired: false }) as unknown as SyncEventsResult,
    raise: async (entry) => void recorded.raised.push(entry),
    raiseResyncRequired: async (where) => void recorded.resyncs.push(where),
    raiseCatchUpFailed: async () => undefined,
    positionChanged: async (position) => void recorded.positions.push(position),
    ...overrides,
  };
}

function pin(seq: number): MultiDeviceEvent {
  return { seq, epoch: "e1", operation: "CONVERSATION_PINNED", conversationId: `c${seq}` } as unknown as MultiDeviceEvent;
}

describe("the sequencer", () => {
  it("a pushed resyncRequired behind this device's position of the same epoch is not ignored", async () => {
    const h = host();
    const sequencer = new EventSequencer(h);
    sequencer.start(10, "e1", 250, 0);

    sequencer.enqueueResync({ lastSeq: 4, epoch: "e1" });

    await waitFor(() => h.resyncs.length === 1, 10_000, "the resync");
    expect(h.resyncs).toEqual([{ lastSeq: 4, epoch: "e1" }]);
    await waitFor(() => sequencer.position.seq === 4, 10_000, "the position to follow the server");
    await sequencer.stop();
  });

  it("a pushed resyncRequired exactly at this device's position is skipped", async () => {
    const h = host();
    const sequencer = new EventSequencer(h);
    sequencer.start(10, "e1", 250, 0);

    sequencer.enqueueResync({ lastSeq: 10, epoch: "e1" });
    sequencer.enqueueEvent(pin(11));

    await waitFor(() => h.raised.length === 1, 10_000, "the next entry");
    expect(h.resyncs).toEqual([]);
    await sequencer.stop();
  });

  it("the starting position is told once, before any entry", async () => {
    const h = host();
    const sequencer = new EventSequencer(h);
    sequencer.start(7, "e1", 250, 0);
    sequencer.enqueueEvent(pin(8));

    await waitFor(() => h.positions.length === 2, 10_000, "two positions");
    expect(h.positions).toEqual([{ seq: 7, epoch: "e1" }, { seq: 8, epoch: "e1" }]);
    await sequencer.stop();
  });

  it("stop() during a catch-up page raises nothing more of it", async () => {
    let stopRequested: () => void = () => undefined;
    const sequencer: EventSequencer = new EventSequencer(
      host({
        syncEvents: async (_request: SyncEventsRequest) =>
          ({ events: [pin(1), pin(2), pin(3)], lastSeq: 3, epoch: "e1", hasMore: false, resyncRequired: false }) as unknown as SyncEventsResult,
        raise: async (entry) => {
          raised.push(entry);
          stopRequested();
        },
      }),
    );
    const raised: Entry[] = [];
    const stopped = new Promise<void>((resolve) => (stopRequested = () => void sequencer.stop().then(resolve)));
    sequencer.start(0, "e1", 250, 0);

    sequencer.enqueueCatchUp();

    await stopped;
    expect(raised.map((e) => (e.value as { seq: number }).seq)).toEqual([1]);
  });

  it("own seqs not yet applied are handed on, including those answered after stop()", async () => {
    const sequencer = new EventSequencer(host());
    sequencer.start(5, "e1", 60_000, 0);
    sequencer.enqueueOwnSeq(7, "e1");
    await sequencer.stop();
    sequencer.enqueueOwnSeq(8, "e1");

    expect(sequencer.ownSeqsAfter(5)).toEqual([7, 8]);
    expect(sequencer.ownSeqsAfter(7)).toEqual([8]);
  });
});
