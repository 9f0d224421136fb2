import {
  ChatTypes,
  MultiDeviceOperations,
  type Message,
  type MultiDeviceEvent,
  type ReadAck,
  type ResyncRequired,
  type SyncEventsRequest,
  type SyncEventsResult,
} from "./contracts.generated.js";

/** A stream entry as its live push carries it. */
export type Entry =
  | { kind: "message"; value: Message }
  | { kind: "event"; value: MultiDeviceEvent }
  | { kind: "readAck"; value: ReadAck };

/** Where a device stands in its user's stream: the newest seq it applied and the epoch that seq belongs to. */
export interface StreamPosition {
  seq: number | null;
  epoch: string | null;
}

/** What the sequencer needs from the client: two hub calls, and what to raise. */
export interface SequencerHost {
  isConnected(): boolean;
  getSyncState(): Promise<{ lastSeq: number; epoch: string | null }>;
  syncEvents(request: SyncEventsRequest): Promise<SyncEventsResult>;
  raise(entry: Entry): Promise<void>;
  raiseResyncRequired(where: ResyncRequired): Promise<void>;
  raiseCatchUpFailed(error: unknown): Promise<void>;
  positionChanged(position: StreamPosition): Promise<void>;
}

type Work =
  | { kind: "live"; seq: number; epoch: string | null; entry: Entry }
  | { kind: "unsequenced"; entry: Entry }
  | { kind: "own"; seq: number; epoch: string | null }
  | { kind: "resync"; where: ResyncRequired }
  | { kind: "catchUp" }
  | { kind: "gapCheck"; lastSeq: number };

const catchUpPageSize = 200;

/**
 * What a live push of a `SyncEvents` entry carries: a `MESSAGE` entry its message, a `PEER_READ` entry its read
 * acknowledgement, each stamped with the entry's seq and epoch; any other entry is the event itself. Undefined for a
 * message gone from history: its seq counts, but there is nothing to deliver. (StreamEntries.Payload on the server.)
 */
export function payloadOf(entry: MultiDeviceEvent): Entry | undefined {
  switch (entry.operation) {
    case MultiDeviceOperations.Message:
      return entry.message ? { kind: "message", value: { ...entry.message, seq: entry.seq, epoch: entry.epoch } } : undefined;
    case MultiDeviceOperations.PeerRead:
      return {
        kind: "readAck",
        value: {
          conversationId: entry.conversationId,
          chatType: entry.chatType.length > 0 ? entry.chatType : ChatTypes.SingleChat,
          readTimestamp: entry.readTimestamp ?? 0,
          seq: entry.seq,
          epoch: entry.epoch,
        },
      };
    default:
      return { kind: "event", value: entry };
  }
}

/**
 * Puts a client's pushes in order, as the .NET client's EventSequencer does: every entry of the user's stream is
 * raised exactly once and in `seq` order; this device's own changes fill their seq without being raised; a gap is
 * filled from `SyncEvents` before later entries are raised, after a short grace, since a missing entry is most often
 * only overtaken by a later push (two calls or two nodes pushing at once). An entry of another epoch means the
 * server's numbering started again: the catch-up asks with the epoch it knows, and the server answers
 * `resyncRequired`. Everything is raised from one loop, one at a time, so a handler may call the hub.
 */
export class EventSequencer {
  private readonly work: Work[] = [];
  private readonly pending = new Map<number, Entry>();
  private readonly ownSeqs = new Set<number>();
  private wake: (() => void) | undefined;
  private stopped = false;
  private running = false;
  private loop: Promise<void> | undefined;
  // How many app callbacks (handlers, onPositionChanged) the loop is inside: stop() called from one must not wait
  // for the loop, which waits for that callback.
  private inAppCallbacks = 0;
  private probe: ReturnType<typeof setTimeout> | undefined;
  private gapTimer: ReturnType<typeof setTimeout> | undefined;
  private lastSeq = 0;
  private epoch: string | null = null;
  private gapGraceMs = 250;

  /** Live pushes that arrived again after their seq was applied, and were dropped. */
  duplicatesDropped = 0;
  /** Entries raised from `SyncEvents` because their live push was missed. */
  eventsRecovered = 0;

  constructor(private readonly host: SequencerHost) {}

  /** Where this device stands; seq is null until the sequencer started. */
  get position(): StreamPosition {
    return this.running ? { seq: this.lastSeq, epoch: this.epoch } : { seq: null, epoch: null };
  }

  get started(): boolean {
    return this.running;
  }

  // Work may come before start (pushes that arrive while the client learns its starting seq); the loop takes it in
  // arrival order once it runs.
  enqueueMessage(message: Message): void {
    const entry: Entry = { kind: "message", value: message };
    this.enqueue(message.seq != null ? { kind: "live", seq: message.seq, epoch: message.epoch, entry } : { kind: "unsequenced", entry });
  }

  enqueueEvent(event: MultiDeviceEvent): void {
    this.enqueue({ kind: "live", seq: event.seq, epoch: event.epoch, entry: { kind: "event", value: event } });
  }

  enqueueReadAck(ack: ReadAck): void {
    const entry: Entry = { kind: "readAck", value: ack };
    this.enqueue(ack.seq != null ? { kind: "live", seq: ack.seq, epoch: ack.epoch, entry } : { kind: "unsequenced", entry });
  }

  /**
   * The server never echoes a change to the device that made it: counts the change's seq as applied. After stop()
   * the seq is still kept, for {@link ownSeqsAfter}: a call answered while the client was stopping still made it.
   */
  enqueueOwnSeq(seq: number, epoch: string | null): void {
    if (this.stopped) {
      this.ownSeqs.add(seq);
      return;
    }

    this.enqueue({ kind: "own", seq, epoch });
  }

  /**
   * This device's own seqs above `seq` that were not applied yet (waiting behind a gap, or not taken by the loop):
   * a later sequencer must skip them too, since the catch-up of a later start() returns them like any other entry.
   */
  ownSeqsAfter(seq: number): number[] {
    const own = new Set(this.ownSeqs);
    for (const work of this.work) {
      if (work.kind === "own") {
        own.add(work.seq);
      }
    }

    return [...own].filter((s) => s > seq).sort((a, b) => a - b);
  }

  /** The server could not replay this device's missed entries on connect: start again from where it stands. */
  enqueueResync(where: ResyncRequired): void {
    this.enqueue({ kind: "resync", where });
  }

  /** Asks the loop to fill any gap after the position from `SyncEvents`. */
  enqueueCatchUp(): void {
    this.enqueue({ kind: "catchUp" });
  }

  /**
   * Starts the loop from `lastSeq` of `epoch`, telling the app that position first; the probe asks `GetSyncState`
   * `probeIntervalMs` after the previous probe ended (0: never). Does nothing once stopped: a stop() that came while
   * the client learnt its starting position ends the start.
   */
  start(lastSeq: number, epoch: string | null, gapGraceMs: number, probeIntervalMs: number): void {
    if (this.stopped || this.running) {
      return;
    }

    this.lastSeq = lastSeq;
    this.epoch = epoch;
    this.gapGraceMs = gapGraceMs;
    this.running = true;
    this.loop = this.process();
    this.scheduleProbe(probeIntervalMs);
  }

  /**
   * Takes no more work and raises nothing more. Resolves when the loop ended; called from inside a handler (or
   * `onPositionChanged`), it does not wait for the loop, which is waiting for that handler, and the loop ends when it
   * returns.
   */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.probe);
    clearTimeout(this.gapTimer);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    return this.inAppCallbacks > 0 ? Promise.resolve() : (this.loop ?? Promise.resolve());
  }

  private scheduleProbe(intervalMs: number): void {
    if (intervalMs <= 0 || this.stopped) {
      return;
    }

    // One probe at a time: the next is timed from the end of this one, so a slow answer cannot pile probes up.
    this.probe = setTimeout(() => void this.probeOnce().finally(() => this.scheduleProbe(intervalMs)), intervalMs);
    // A probe alone must not keep a Node process alive (browsers' timers have no unref).
    const timer = this.probe as unknown as { unref?: () => void };
    if (typeof timer.unref === "function") {
      timer.unref();
    }
  }

  /** Runs an app callback, counted so that a stop() from inside it does not wait for the loop. */
  private async app(callback: () => Promise<void>): Promise<void> {
    this.inAppCallbacks++;
    try {
      await callback();
    } finally {
      this.inAppCallbacks--;
    }
  }

  private enqueue(work: Work): void {
    if (this.stopped) {
      return;
    }

    this.work.push(work);
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async next(): Promise<Work | undefined> {
    while (!this.stopped) {
      const work = this.work.shift();
      if (work) {
        return work;
      }

      await new Promise<void>((resolve) => (this.wake = resolve));
    }

    return undefined;
  }

  private async process(): Promise<void> {
    // The app persists the starting position too, so it holds one even before the first entry.
    await this.app(() => this.host.positionChanged({ seq: this.lastSeq, epoch: this.epoch }));
    let catchUpNeeded = false;
    for (let work = await this.next(); work; work = await this.next()) {
      switch (work.kind) {
        case "unsequenced":
          // From a server that numbers no such entries: nothing to order them by.
          await this.app(() => this.host.raise(work.entry));
          continue;
        case "live":
          if (!this.isCurrentEpoch(work.epoch)) {
            // Numbered in another epoch: seqs do not compare, so ask the server where this device stands.
            catchUpNeeded = true;
          } else if (work.seq <= this.lastSeq) {
            this.duplicatesDropped++;
            continue;
          } else {
            this.pending.set(work.seq, work.entry);
          }
          break;
        case "own":
          if (!this.isCurrentEpoch(work.epoch)) {
            // Kept, so the catch-up skips it if the server continues this device's numbering; a resync clears it.
            this.ownSeqs.add(work.seq);
            catchUpNeeded = true;
          } else if (work.seq > this.lastSeq) {
            this.ownSeqs.add(work.seq);
          }
          break;
        case "catchUp":
          catchUpNeeded = true;
          break;
        case "gapCheck":
          this.gapTimer = undefined;
          // No entry applied for a whole grace while one is missing: it was lost, not overtaken.
          catchUpNeeded ||= this.lastSeq === work.lastSeq && this.hasGap();
          break;
        case "resync":
          if (work.where.epoch === this.epoch && work.where.lastSeq === this.lastSeq) {
            // Already there: the catch-up after connecting got the same answer before this push was taken. Any
            // other answer, behind this device included, starts again from the server's position, as the .NET
            // client does.
            continue;
          }

          await this.resync(work.where);
          catchUpNeeded = false;
          continue;
      }

      await this.raiseContiguous();
      if (this.stopped) {
        return;
      }

      const gap = this.hasGap();
      if (catchUpNeeded || (gap && this.gapGraceMs <= 0)) {
        catchUpNeeded = !(await this.tryCatchUp());
      } else if (gap && this.gapTimer === undefined) {
        const check: Work = { kind: "gapCheck", lastSeq: this.lastSeq };
        this.gapTimer = setTimeout(() => this.enqueue(check), this.gapGraceMs);
      }
    }
  }

  private hasGap(): boolean {
    return this.pending.size > 0 || this.ownSeqs.size > 0;
  }

  /** Whether an entry of `epoch` may be ordered by seq here; the first epoch named is adopted. */
  private isCurrentEpoch(epoch: string | null | undefined): boolean {
    if (epoch == null || epoch === this.epoch) {
      return true;
    }

    if (this.epoch === null && this.lastSeq === 0) {
      this.epoch = epoch;
      return true;
    }

    return false;
  }

  /** Moves the position to `seq` and tells the app, which may persist it. */
  private async advance(seq: number): Promise<void> {
    this.lastSeq = seq;
    await this.app(() => this.host.positionChanged({ seq, epoch: this.epoch }));
  }

  /** Raises buffered entries, and skips this device's own, while they follow on without a gap. */
  private async raiseContiguous(): Promise<void> {
    while (!this.stopped) {
      const next = this.lastSeq + 1;
      if (this.ownSeqs.delete(next)) {
        await this.advance(next);
        continue;
      }

      const entry = this.pending.get(next);
      if (entry === undefined) {
        return;
      }

      this.pending.delete(next);
      this.lastSeq = next;
      await this.app(() => this.host.raise(entry));
      await this.app(() => this.host.positionChanged({ seq: next, epoch: this.epoch }));
    }
  }

  /** Fills the gap after the position from the server's stream; false when it could not. */
  private async tryCatchUp(): Promise<boolean> {
    try {
      for (;;) {
        const result = await this.host.syncEvents({ sinceSeq: this.lastSeq, limit: catchUpPageSize, epoch: this.epoch });
        if (this.stopped) {
          return true;
        }

        if (result.resyncRequired) {
          await this.resync({ lastSeq: result.lastSeq, epoch: result.epoch });
          return true;
        }

        // The server continued this device's numbering under the epoch it names now.
        if (result.epoch != null) {
          this.epoch = result.epoch;
        }

        for (const entry of result.events) {
          if (this.stopped) {
            return true;
          }

          if (entry.seq <= this.lastSeq) {
            continue;
          }

          if (this.ownSeqs.delete(entry.seq)) {
            await this.advance(entry.seq);
            continue;
          }

          this.pending.delete(entry.seq);
          this.eventsRecovered++;
          this.lastSeq = entry.seq;
          const payload = payloadOf(entry);
          if (payload) {
            await this.app(() => this.host.raise(payload));
          }

          await this.app(() => this.host.positionChanged({ seq: entry.seq, epoch: this.epoch }));
        }

        for (const seq of [...this.pending.keys()]) {
          if (seq <= this.lastSeq) {
            this.pending.delete(seq);
            this.duplicatesDropped++;
          }
        }

        for (const seq of [...this.ownSeqs]) {
          if (seq <= this.lastSeq) {
            this.ownSeqs.delete(seq);
          }
        }

        if (!result.hasMore) {
          await this.raiseContiguous();
          return true;
        }
      }
    } catch (error) {
      if (this.stopped) {
        return true;
      }

      await this.app(() => this.host.raiseCatchUpFailed(error));
      return false;
    }
  }

  /** Starts again from where the server's stream stands: nothing before it can be replayed. */
  private async resync(where: ResyncRequired): Promise<void> {
    this.lastSeq = where.lastSeq;
    this.epoch = where.epoch ?? this.epoch;
    this.pending.clear();
    this.ownSeqs.clear();
    await this.app(() => this.host.raiseResyncRequired({ lastSeq: this.lastSeq, epoch: this.epoch }));
    await this.app(() => this.host.positionChanged({ seq: this.lastSeq, epoch: this.epoch }));
  }

  /** Now and then asks for the server's newest seq; the loop catches up when this device is behind. */
  private async probeOnce(): Promise<void> {
    if (!this.host.isConnected() || this.stopped) {
      return;
    }

    try {
      const state = await this.host.getSyncState();
      if (state.lastSeq > this.lastSeq || (state.epoch != null && this.epoch != null && state.epoch !== this.epoch)) {
        this.enqueueCatchUp();
      }
    } catch {
      // The connection is going away; the reconnect path catches up instead.
    }
  }
}
