import * as signalRModule from "@microsoft/signalr";
import type { HubConnection, LogLevel } from "@microsoft/signalr";
import * as msgpackModule from "@microsoft/signalr-protocol-msgpack";
import {
  ErrorCodes,
  HubEvents,
  HubMethods,
  type Conversation,
  type DeleteConversationResult,
  type DeleteConversationsResult,
  type DeleteRemoteConversationRequest,
  type DeleteRemoteConversationsRequest,
  type DeleteRemoteMessagesBeforeRequest,
  type DeleteRemoteMessagesWithIdsRequest,
  type DeleteRoamingResult,
  type FetchConversationsRequest,
  type FetchHistoryMessagesRequest,
  type GetConversationRequest,
  type MarkAllConversationsReadRequest,
  type MarkAllReadResult,
  type MarkConversationReadRequest,
  type MarkConversationUnreadRequest,
  type MarkUnreadResult,
  type MarksResult,
  type MarkReadResult,
  type Message,
  type MultiDeviceEvent,
  type MuteResult,
  type Page,
  type PinConversationRequest,
  type PinResult,
  type ReadAck,
  type RecallMessageRequest,
  type RecallMessageResult,
  type ResyncRequired,
  type SendMessageRequest,
  type SetConversationMarksRequest,
  type SetConversationMutedRequest,
  type SyncEventsRequest,
  type SyncEventsResult,
  type SyncState,
  type UnreadSummary,
  type UpdateConversationExtRequest,
  type UpdateExtResult,
} from "./contracts.generated.js";
import { delay, diagnoseRefusal, hubUrl, reconnectDelayMs } from "./connect.js";
import { RoamingHubError, callError, closeRefusal, isTransient } from "./errors.js";
import { EventSequencer, type Entry, type StreamPosition } from "./sequencer.js";

// Node loads the SignalR packages as CommonJS, where an ES import may see their exports only under `default`;
// bundlers load their ES builds. Either way, take the object that has the exports.
const signalR: typeof signalRModule = "HubConnectionBuilder" in signalRModule ? signalRModule : (signalRModule as unknown as { default: typeof signalRModule }).default;
const msgpack: typeof msgpackModule = "MessagePackHubProtocol" in msgpackModule ? msgpackModule : (msgpackModule as unknown as { default: typeof msgpackModule }).default;

/** The state of a {@link RoamingHubClient}. */
export type ConnectionState = "disconnected" | "connecting" | "connected" | "reconnecting";

/** How a {@link RoamingHubClient} connects. */
export interface RoamingHubClientOptions {
  /** Base address of a RoamingHub node, e.g. `http://localhost:5080`. */
  serverUrl: string;
  /** Returns the user's token (from `POST /api/tokens`); called at every connection attempt. */
  accessTokenFactory: () => string | Promise<string>;
  /** Names this device in the events it causes; the connection id when left out. */
  deviceId?: string;
  /** Wire protocol; `messagepack` by default. The server sends the same objects in both. */
  protocol?: "messagepack" | "json";
  /** Where this device stood in an earlier run (`client.position`, saved by `onPositionChanged`): the client resumes there. */
  initialPosition?: StreamPosition;
  /** Called after each applied stream entry (and each own change, and a resync) with the new position, and once with the starting position after `start()`, to persist it. */
  onPositionChanged?: (position: StreamPosition) => void | Promise<void>;
  /** Reconnect after a dropped connection, and retry `start()` while connecting fails for a reason that may pass; default true. */
  automaticReconnect?: boolean;
  /** How long a call waits for its answer before it fails with `UNAVAILABLE`; default 30000. */
  invocationTimeoutMs?: number;
  /** How long a gap in the stream may wait for its missing entry before it is filled from `SyncEvents`; default 250, at most 60000. */
  gapGraceMs?: number;
  /** How often to ask the server for its newest seq while connected, catching up when behind; default 300000, 0 for never. */
  syncProbeIntervalMs?: number;
  /** Log level of the underlying @microsoft/signalr connection; default `LogLevel.None`. */
  signalRLogLevel?: LogLevel;
}

/** The events of a {@link RoamingHubClient} and their handlers' arguments. */
export interface RoamingHubClientEvents {
  /** A message sent to this user, or sent by this user from another device (the `onMessage` stream entry). */
  message: (message: Message) => void | Promise<void>;
  /** A change made on another device of this user (`onMultiDeviceEvent`). */
  event: (event: MultiDeviceEvent) => void | Promise<void>;
  /** The other participant of a single chat read this user's messages up to a time (`onReadAck`). */
  readAck: (ack: ReadAck) => void | Promise<void>;
  /** The server no longer holds the entries this device missed, or its stream started a new epoch: refetch the lists. */
  resyncRequired: (where: ResyncRequired) => void | Promise<void>;
  /** A catch-up failed (for example while disconnected); it is tried again at the next entry or reconnect. */
  catchUpFailed: (error: unknown) => void | Promise<void>;
  /** The client's state changed. */
  stateChanged: (state: ConnectionState) => void | Promise<void>;
  /** The client stopped for good without `stop()`: the server closed the connection with a refusal (its code says why). */
  closed: (error: RoamingHubError) => void | Promise<void>;
}

type Handlers = { [K in keyof RoamingHubClientEvents]: Set<RoamingHubClientEvents[K]> };

/**
 * A typed RoamingHub client over @microsoft/signalr. Every entry of the user's stream — messages (`message`),
 * multi-device events (`event`) and read acknowledgements (`readAck`) — is raised exactly once and in `seq` order:
 * duplicates are dropped, this device's own changes count without being raised, a gap is filled from `SyncEvents`,
 * and a stream that can no longer be replayed raises `resyncRequired`. Handlers run one at a time, so they may call
 * the hub. Until `stop()`, a dropped connection reconnects with jittered backoff, each attempt a new connection whose
 * URL names the position reached, so the server replays what this device missed before the live entries.
 */
export class RoamingHubClient {
  private readonly options: Required<Pick<RoamingHubClientOptions, "protocol" | "automaticReconnect" | "invocationTimeoutMs" | "gapGraceMs" | "syncProbeIntervalMs">> & RoamingHubClientOptions;
  private readonly handlers: Handlers = {
    message: new Set(),
    event: new Set(),
    readAck: new Set(),
    resyncRequired: new Set(),
    catchUpFailed: new Set(),
    stateChanged: new Set(),
    closed: new Set(),
  };
  private connection: HubConnection | undefined;
  private sequencer: EventSequencer | undefined;
  private lastPosition: StreamPosition;
  private stopping = new AbortController();
  private currentState: ConnectionState = "disconnected";

  constructor(options: RoamingHubClientOptions) {
    const gapGraceMs = options.gapGraceMs ?? 250;
    if (!(gapGraceMs >= 0 && gapGraceMs <= 60_000)) {
      throw new RoamingHubError(ErrorCodes.InvalidArgument, "gapGraceMs must be 0 to 60000.");
    }

    const invocationTimeoutMs = options.invocationTimeoutMs ?? 30_000;
    if (!(invocationTimeoutMs > 0)) {
      throw new RoamingHubError(ErrorCodes.InvalidArgument, "invocationTimeoutMs must be positive.");
    }

    if (typeof options.serverUrl !== "string" || !/^https?:\/\//i.test(options.serverUrl)) {
      throw new RoamingHubError(ErrorCodes.InvalidArgument, "serverUrl must be an http:// or https:// address.");
    }

    this.options = {
      ...options,
      protocol: options.protocol ?? "messagepack",
      automaticReconnect: options.automaticReconnect ?? true,
      invocationTimeoutMs,
      gapGraceMs,
      syncProbeIntervalMs: options.syncProbeIntervalMs ?? 300_000,
    };
    this.lastPosition = { seq: options.initialPosition?.seq ?? null, epoch: options.initialPosition?.epoch ?? null };
  }

  /** Where this device stands in its user's stream: persist it to resume a later run (`initialPosition`). */
  get position(): StreamPosition {
    return { ...this.lastPosition };
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** Live pushes that arrived again after their seq was applied, and were dropped. */
  get duplicatesDropped(): number {
    return this.sequencer?.duplicatesDropped ?? 0;
  }

  /** Entries raised from `SyncEvents` because their live push was missed. */
  get eventsRecovered(): number {
    return this.sequencer?.eventsRecovered ?? 0;
  }

  on<K extends keyof RoamingHubClientEvents>(name: K, handler: RoamingHubClientEvents[K]): this {
    (this.handlers[name] as Set<RoamingHubClientEvents[K]>).add(handler);
    return this;
  }

  off<K extends keyof RoamingHubClientEvents>(name: K, handler: RoamingHubClientEvents[K]): this {
    (this.handlers[name] as Set<RoamingHubClientEvents[K]>).delete(handler);
    return this;
  }

  /**
   * Connects and learns where this device stands (`initialPosition`, the position of an earlier `start()`, or
   * `GetSyncState`). A failure that may pass (no answer, HTTP 5xx, a close for a reconnect, `UNAVAILABLE`,
   * `RATE_LIMITED`, `INTERNAL`) is tried again after a jittered wait until connected or `stop()`; a refusal
   * (`UNAUTHENTICATED`, `CONNECTION_LIMIT_EXCEEDED`, `FORBIDDEN`, `INVALID_ARGUMENT`) rejects at once with a
   * {@link RoamingHubError}. With `automaticReconnect: false` it makes one attempt.
   */
  async start(): Promise<void> {
    if (this.currentState !== "disconnected") {
      throw new RoamingHubError(ErrorCodes.InvalidArgument, `start() needs a disconnected client; it is ${this.currentState}.`);
    }

    this.stopping = new AbortController();
    const signal = this.stopping.signal;
    this.setState("connecting");
    // This device's own changes still waiting behind a gap when the last run stopped: the catch-up of this run
    // returns them like any other entry, and they must not be raised as another device's.
    const ownSeqs = this.lastPosition.seq === null ? [] : (this.sequencer?.ownSeqsAfter(this.lastPosition.seq) ?? []);
    const sequencer = this.newSequencer();
    for (const seq of ownSeqs) {
      sequencer.enqueueOwnSeq(seq, this.lastPosition.epoch);
    }

    for (let attempt = 0; ; attempt++) {
      try {
        if (signal.aborted) {
          throw new RoamingHubError(ErrorCodes.Unavailable, "The client was stopped before it connected.");
        }

        await this.connectOnce(sequencer, signal);
        if (signal.aborted) {
          // stop() came while the attempt finished: it may not have seen this connection, so close it here.
          throw new RoamingHubError(ErrorCodes.Unavailable, "The client was stopped before it connected.");
        }

        this.setState("connected");
        return;
      } catch (error) {
        const refusal = error instanceof RoamingHubError ? error : callError(error);
        if (signal.aborted || isTransient(refusal) === false || !this.options.automaticReconnect) {
          if (this.sequencer === sequencer) {
            await this.shutDown();
          }

          throw signal.aborted ? new RoamingHubError(ErrorCodes.Unavailable, "The client was stopped before it connected.", { cause: error }) : refusal;
        }

        await delay(reconnectDelayMs(attempt), signal);
      }
    }
  }

  /**
   * Closes the connection and ends any reconnecting; the position stays, so a later `start()` resumes from it. A
   * handler may call it: it then resolves without waiting for that handler, and nothing is raised after it.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.shutDown();
  }

  sendMessage(request: SendMessageRequest): Promise<Message> {
    return this.own(this.invoke<Message>(HubMethods.SendMessage, request));
  }

  fetchConversations(request: FetchConversationsRequest = {}): Promise<Page<Conversation>> {
    return this.invoke(HubMethods.FetchConversations, request);
  }

  fetchPinnedConversations(request: FetchConversationsRequest = {}): Promise<Page<Conversation>> {
    return this.invoke(HubMethods.FetchPinnedConversations, request);
  }

  pinConversation(request: PinConversationRequest): Promise<PinResult> {
    return this.own(this.invoke<PinResult>(HubMethods.PinConversation, request));
  }

  fetchHistoryMessages(request: FetchHistoryMessagesRequest): Promise<Page<Message>> {
    return this.invoke(HubMethods.FetchHistoryMessages, request);
  }

  deleteRemoteMessagesBefore(request: DeleteRemoteMessagesBeforeRequest): Promise<DeleteRoamingResult> {
    return this.own(this.invoke<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesBefore, request));
  }

  deleteRemoteMessagesWithIds(request: DeleteRemoteMessagesWithIdsRequest): Promise<DeleteRoamingResult> {
    return this.own(this.invoke<DeleteRoamingResult>(HubMethods.DeleteRemoteMessagesWithIds, request));
  }

  deleteRemoteConversation(request: DeleteRemoteConversationRequest): Promise<DeleteConversationResult> {
    return this.own(this.invoke<DeleteConversationResult>(HubMethods.DeleteRemoteConversation, request));
  }

  markConversationRead(request: MarkConversationReadRequest): Promise<MarkReadResult> {
    return this.own(this.invoke<MarkReadResult>(HubMethods.MarkConversationRead, request));
  }

  markAllConversationsRead(request: MarkAllConversationsReadRequest = {}): Promise<MarkAllReadResult> {
    return this.own(this.invoke<MarkAllReadResult>(HubMethods.MarkAllConversationsRead, request));
  }

  getUnreadSummary(): Promise<UnreadSummary> {
    return this.invoke(HubMethods.GetUnreadSummary);
  }

  updateConversationExt(request: UpdateConversationExtRequest): Promise<UpdateExtResult> {
    return this.own(this.invoke<UpdateExtResult>(HubMethods.UpdateConversationExt, request));
  }

  getSyncState(): Promise<SyncState> {
    return this.invoke(HubMethods.GetSyncState);
  }

  syncEvents(request: SyncEventsRequest): Promise<SyncEventsResult> {
    return this.invoke(HubMethods.SyncEvents, request);
  }

  /** One conversation exactly as the list shows it; rejects with `NOT_FOUND` when it is not in the list. */
  getConversation(request: GetConversationRequest): Promise<Conversation> {
    return this.invoke(HubMethods.GetConversation, request);
  }

  /** Mutes (until `mutedUntil`, Unix ms, when given) or unmutes a conversation; muting one not in the list adds it. */
  setConversationMuted(request: SetConversationMutedRequest): Promise<MuteResult> {
    return this.own(this.invoke<MuteResult>(HubMethods.SetConversationMuted, request));
  }

  /** Marks a conversation unread until `markConversationRead` or `markAllConversationsRead` clears the mark. */
  markConversationUnread(request: MarkConversationUnreadRequest): Promise<MarkUnreadResult> {
    return this.own(this.invoke<MarkUnreadResult>(HubMethods.MarkConversationUnread, request));
  }

  /** Adds and removes marks (integers 0–19) on a conversation; `fetchConversations({ mark })` lists those carrying one. */
  setConversationMarks(request: SetConversationMarksRequest): Promise<MarksResult> {
    return this.own(this.invoke<MarksResult>(HubMethods.SetConversationMarks, request));
  }

  /**
   * Deletes 1–50 conversations at once, each as `deleteRemoteConversation` does; those not in the list are skipped.
   * Each deleted conversation has its own `CONVERSATION_DELETED` entry, whose seq counts as applied here.
   */
  async deleteRemoteConversations(request: DeleteRemoteConversationsRequest): Promise<DeleteConversationsResult> {
    const result = await this.invoke<DeleteConversationsResult>(HubMethods.DeleteRemoteConversations, request);
    result.deleted.forEach((deleted) => this.countOwn(deleted));

    return result;
  }

  /** Takes back a message the caller sent, within the server's recall window (`FORBIDDEN` after it). */
  recallMessage(request: RecallMessageRequest): Promise<RecallMessageResult> {
    return this.own(this.invoke<RecallMessageResult>(HubMethods.RecallMessage, request));
  }

  /** The server never echoes a change to the device that made it: the result's seq counts as applied. */
  private async own<T extends { seq: number | null; epoch: string | null }>(call: Promise<T>): Promise<T> {
    const result = await call;
    this.countOwn(result);
    return result;
  }

  private countOwn(result: { seq: number | null; epoch: string | null }): void {
    if (result.seq != null && result.seq > 0) {
      this.sequencer?.enqueueOwnSeq(result.seq, result.epoch);
    }
  }

  private async invoke<T>(method: string, ...args: unknown[]): Promise<T> {
    const connection = this.connection;
    if (!connection || connection.state !== signalR.HubConnectionState.Connected) {
      throw new RoamingHubError(ErrorCodes.Unavailable, `Not connected (the client is ${this.currentState}); try again once it is connected.`);
    }

    // stop() ends a call at once: the catch-up the loop is waiting for must not hold stop() for the whole timeout.
    const signal = this.stopping.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new RoamingHubError(ErrorCodes.Unavailable, `${method} got no answer within ${this.options.invocationTimeoutMs} ms.`)),
        this.options.invocationTimeoutMs,
      );
      onAbort = () => reject(new RoamingHubError(ErrorCodes.Unavailable, `${method} ended: the client was stopped.`));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      return await Promise.race([connection.invoke<T>(method, ...args), timeout]);
    } catch (error) {
      throw callError(error);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort!);
    }
  }

  private newSequencer(): EventSequencer {
    const sequencer = new EventSequencer({
      isConnected: () => this.connection?.state === signalR.HubConnectionState.Connected,
      getSyncState: () => this.getSyncState(),
      syncEvents: (request) => this.syncEvents(request),
      raise: (entry) => this.raiseEntry(entry),
      raiseResyncRequired: (where) => this.emit("resyncRequired", where),
      raiseCatchUpFailed: (error) => this.emit("catchUpFailed", error),
      positionChanged: async (position) => {
        if (this.sequencer !== sequencer) {
          return;
        }

        this.lastPosition = position;
        await this.report(() => this.options.onPositionChanged?.({ ...position }));
      },
    });
    this.sequencer = sequencer;
    return sequencer;
  }

  /**
   * One attempt: a new HubConnection whose URL names the position reached (or none, the first time), then, on the
   * first connection, where the stream stands. The server replays what follows the position before any live entry;
   * after a reconnect the client also catches up with `SyncEvents`, as the protocol's algorithm asks.
   */
  private async connectOnce(sequencer: EventSequencer, signal: AbortSignal): Promise<void> {
    const position = sequencer.started ? sequencer.position : this.lastPosition;
    const builder = new signalR.HubConnectionBuilder()
      .withUrl(hubUrl(this.options.serverUrl, this.options.deviceId, position), {
        accessTokenFactory: () => this.options.accessTokenFactory(),
        // Skipping negotiation is one request, so nodes behind a load balancer need no sticky sessions.
        transport: signalR.HttpTransportType.WebSockets,
        skipNegotiation: true,
      })
      .configureLogging(this.options.signalRLogLevel ?? signalR.LogLevel.None);
    if (this.options.protocol === "messagepack") {
      builder.withHubProtocol(new msgpack.MessagePackHubProtocol());
    }

    const connection = builder.build();
    connection.serverTimeoutInMilliseconds = 30_000;
    connection.on(HubEvents.OnMessage, (message: Message) => sequencer.enqueueMessage(message));
    connection.on(HubEvents.OnMultiDeviceEvent, (event: MultiDeviceEvent) => sequencer.enqueueEvent(event));
    connection.on(HubEvents.OnReadAck, (ack: ReadAck) => sequencer.enqueueReadAck(ack));
    connection.on(HubEvents.OnResyncRequired, (where: ResyncRequired) => sequencer.enqueueResync(where));
    let closeError: Error | undefined;
    let closed = false;
    // Until the attempt succeeded, a close fails the attempt (the caller tries again); after, it starts the reconnecting.
    let live = false;
    connection.onclose((error) => {
      closed = true;
      closeError = error;
      if (live) {
        void this.connectionLost(connection, error);
      }
    });

    try {
      await connection.start();
    } catch (error) {
      if (signal.aborted) {
        throw error;
      }

      throw (await this.refusalOf(error)) ?? callError(error);
    }

    if (signal.aborted) {
      await connection.stop();
      throw new RoamingHubError(ErrorCodes.Unavailable, "The client was stopped before it connected.");
    }

    this.connection = connection;
    try {
      if (sequencer.started) {
        sequencer.enqueueCatchUp();
      } else if (position.seq !== null) {
        sequencer.start(position.seq, position.epoch, this.options.gapGraceMs, this.options.syncProbeIntervalMs);
        sequencer.enqueueCatchUp();
      } else {
        // The answer also shows that the server admitted the connection.
        const state = await this.getSyncState();
        sequencer.start(state.lastSeq, state.epoch, this.options.gapGraceMs, this.options.syncProbeIntervalMs);
        this.lastPosition = sequencer.position;
      }
    } catch (error) {
      this.connection = undefined;
      await connection.stop();
      // The connection went away under the call: its Close message says why (a refusal with a code, or not).
      const refusal = closed ? closeRefusal(closeError) : undefined;
      throw refusal ?? callError(error);
    }

    if (closed) {
      this.connection = undefined;
      throw closeRefusal(closeError) ?? new RoamingHubError(ErrorCodes.Unavailable, "The connection closed as it started.");
    }

    live = true;
  }

  /** Reads a failed start: a coded Close, or the negotiate endpoint's answer for this token. */
  private async refusalOf(error: unknown): Promise<RoamingHubError | undefined> {
    const closed = closeRefusal(error);
    if (closed) {
      return closed;
    }

    let token: string | undefined;
    try {
      token = await this.options.accessTokenFactory();
    } catch (factoryError) {
      return new RoamingHubError(ErrorCodes.Unauthenticated, "The access token factory failed.", { cause: factoryError });
    }

    return diagnoseRefusal(this.options.serverUrl, this.options.deviceId, token);
  }

  /** The connection dropped: reconnect until connected, stopped, or refused with a Close that carries a code. */
  private async connectionLost(connection: HubConnection, error: Error | undefined): Promise<void> {
    if (this.connection !== connection) {
      return;
    }

    this.connection = undefined;
    const signal = this.stopping.signal;
    const sequencer = this.sequencer;
    if (signal.aborted || !sequencer) {
      return;
    }

    const refusal = closeRefusal(error);
    if ((refusal && !isTransient(refusal)) || !this.options.automaticReconnect) {
      await this.shutDown();
      if (refusal) {
        await this.emit("closed", refusal);
      }
      return;
    }

    this.setState("reconnecting");
    for (let attempt = 0; !signal.aborted; attempt++) {
      await delay(reconnectDelayMs(attempt), signal);
      if (signal.aborted) {
        return;
      }

      try {
        await this.connectOnce(sequencer, signal);
        if (!signal.aborted) {
          this.setState("connected");
        }
        return;
      } catch {
        // Every failure is tried again while the client runs, as the .NET client's reconnect does: a token factory
        // may hand out a fresh token, and a place at the connection limit frees when another device leaves.
      }
    }
  }

  /**
   * Ends the loop's work first (it raises nothing more), then the connection, whose close also fails the calls in
   * flight, then waits for the loop, unless a handler called stop(): the loop is waiting for that handler.
   */
  private async shutDown(): Promise<void> {
    const connection = this.connection;
    const sequencer = this.sequencer;
    this.connection = undefined;
    if (sequencer?.started) {
      this.lastPosition = sequencer.position;
    }

    const loopEnded = sequencer?.stop();
    await connection?.stop().catch(() => undefined);
    await loopEnded;
    if (sequencer?.started) {
      this.lastPosition = sequencer.position;
    }

    this.setState("disconnected");
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) {
      return;
    }

    this.currentState = state;
    void this.emit("stateChanged", state);
  }

  private raiseEntry(entry: Entry): Promise<void> {
    switch (entry.kind) {
      case "message":
        return this.emit("message", entry.value);
      case "event":
        return this.emit("event", entry.value);
      case "readAck":
        return this.emit("readAck", entry.value);
    }
  }

  private async emit<K extends keyof RoamingHubClientEvents>(name: K, argument: Parameters<RoamingHubClientEvents[K]>[0]): Promise<void> {
    for (const handler of [...this.handlers[name]]) {
      await this.report(() => (handler as (a: typeof argument) => void | Promise<void>)(argument));
    }
  }

  /** Runs an app callback; its failure is the app's, reported on the console, and stops neither the stream nor the others. */
  private async report(callback: () => void | Promise<void> | undefined): Promise<void> {
    try {
      await callback();
    } catch (error) {
      console.error("RoamingHubClient: a handler failed", error);
    }
  }
}
