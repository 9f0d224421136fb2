// A minimal SignalR client for k6: the JSON hub protocol spoken by hand over a WebSocket, as a client in any
// language would. Negotiation is skipped (RoamingHub accepts a direct WebSocket with the token in the query string),
// so one connection is one WebSocket:
//   → {"protocol":"json","version":1}␞          handshake; the server answers {}␞ (or {"error":…}␞)
//   → {"type":1,"invocationId":"7","target":"PinConversation","arguments":[{…}]}␞
//   ← {"type":3,"invocationId":"7","result":{…}}␞   or  {"type":3,"invocationId":"7","error":"CODE: sentence"}␞
//   ← {"type":1,"target":"onMultiDeviceEvent","arguments":[{…}]}␞   a push (no invocationId: no answer expected)
//   ↔ {"type":6}␞                                  ping, both ways, so neither side times the other out
//   ← {"type":7,"error":"…"}␞                      close
// Every record ends with the ASCII record separator 0x1E, and one WebSocket frame may hold several records.
import http from "k6/http";
import { WebSocket } from "k6/websockets";
import { setInterval, clearInterval, setTimeout, clearTimeout } from "k6/timers";

export const RECORD_SEPARATOR = "\x1e";

const MessageType = { Invocation: 1, Completion: 3, Ping: 6, Close: 7 } as const;

/** Sent every 15 s: the server drops a client it has not heard from for 30 s. */
const PING_INTERVAL_MS = 15_000;

export interface HubRecord {
  type: number;
  invocationId?: string;
  target?: string;
  arguments?: unknown[];
  result?: unknown;
  error?: string;
}

/** The code at the start of a hub error ("PIN_LIMIT_EXCEEDED: …"), or the whole text when there is none. */
export function errorCode(error: string): string {
  const match = /^([A-Z][A-Z_]+):/.exec(error);
  return match ? match[1] : error;
}

/** Asks the admin API for a user's token (POST /api/tokens with X-Api-Key). */
export function issueToken(baseUrl: string, adminKey: string, userId: string): string {
  const response = http.post(`${baseUrl}/api/tokens`, JSON.stringify({ userId }), {
    headers: { "Content-Type": "application/json", "X-Api-Key": adminKey },
    tags: { name: "POST /api/tokens" },
  });
  if (response.status !== 200) {
    throw new Error(`POST /api/tokens answered ${response.status}: ${String(response.body)}`);
  }
  return (response.json() as { accessToken: string }).accessToken;
}

/** Turns http://host:port into ws://host:port (https into wss). */
export function webSocketBase(baseUrl: string): string {
  return baseUrl.replace(/^http/, "ws");
}

interface Pending {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
  timer: number;
}

/** One hub connection of one device. */
export class HubConnection {
  private readonly socket: WebSocket;
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, Array<(argument: unknown) => void>>();
  private readonly opened: Promise<void>;
  private nextId = 0;
  private pinger = 0;
  private buffer = "";
  private handshakeDone = false;

  /** Called once when the connection ends, with the reason when it was not closed by {@link close}. */
  onClosed: (error?: string) => void = () => {};

  constructor(baseUrl: string, token: string, deviceId: string, private readonly timeoutMs = 10_000) {
    const url = `${webSocketBase(baseUrl)}/hubs/roaming?access_token=${encodeURIComponent(token)}&deviceId=${encodeURIComponent(deviceId)}`;
    this.socket = new WebSocket(url);
    this.opened = new Promise<void>((resolve, reject) => {
      this.socket.addEventListener("open", () => {
        this.socket.send(JSON.stringify({ protocol: "json", version: 1 }) + RECORD_SEPARATOR);
      });
      this.socket.addEventListener("message", (event) => {
        if ("data" in event && typeof event.data === "string") {
          this.receive(event.data, resolve, reject);
        }
      });
      this.socket.addEventListener("error", (event) => {
        const message = "error" in event ? event.error : "WebSocket error";
        if (!this.handshakeDone) {
          reject(new Error(message));
        }
        this.fail(message);
      });
      this.socket.addEventListener("close", () => {
        if (!this.handshakeDone) {
          reject(new Error("closed before the handshake"));
        }
        this.fail("connection closed");
      });
    });
  }

  /** Resolves once the handshake is answered. */
  start(): Promise<void> {
    return this.opened;
  }

  /** Registers a handler for a push such as onMultiDeviceEvent or onMessage. */
  on(target: string, handler: (argument: unknown) => void): void {
    const list = this.handlers.get(target) ?? [];
    list.push(handler);
    this.handlers.set(target, list);
  }

  /** Invokes a hub method and resolves with its result; a hub error rejects with "CODE: sentence". */
  invoke<T>(target: string, argument?: unknown): Promise<T> {
    const invocationId = String(++this.nextId);
    const record: HubRecord = {
      type: MessageType.Invocation,
      invocationId,
      target,
      arguments: argument === undefined ? [] : [argument],
    };
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(invocationId);
        reject(new Error(`TIMEOUT: ${target} got no completion within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(invocationId, { resolve: (value) => resolve(value as T), reject, timer });
      this.socket.send(JSON.stringify(record) + RECORD_SEPARATOR);
    });
  }

  close(): void {
    this.onClosed = () => {};
    clearInterval(this.pinger);
    this.socket.close();
  }

  private receive(data: string, resolve: () => void, reject: (error: Error) => void): void {
    this.buffer += data;
    let end: number;
    while ((end = this.buffer.indexOf(RECORD_SEPARATOR)) >= 0) {
      const text = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      if (!this.handshakeDone) {
        const answer = JSON.parse(text) as { error?: string };
        if (answer.error) {
          reject(new Error(answer.error));
          this.socket.close();
          return;
        }
        this.handshakeDone = true;
        this.pinger = setInterval(() => this.send({ type: MessageType.Ping }), PING_INTERVAL_MS);
        resolve();
        continue;
      }
      this.dispatch(JSON.parse(text) as HubRecord);
    }
  }

  private dispatch(record: HubRecord): void {
    switch (record.type) {
      case MessageType.Invocation:
        for (const handler of this.handlers.get(record.target ?? "") ?? []) {
          handler(record.arguments?.[0]);
        }
        break;
      case MessageType.Completion: {
        const pending = this.pending.get(record.invocationId ?? "");
        if (!pending) {
          break;
        }
        this.pending.delete(record.invocationId ?? "");
        clearTimeout(pending.timer);
        if (record.error) {
          pending.reject(new Error(record.error));
        } else {
          pending.resolve(record.result);
        }
        break;
      }
      case MessageType.Ping:
        break;
      case MessageType.Close:
        this.fail(record.error ?? "closed by the server");
        break;
    }
  }

  private send(record: HubRecord): void {
    this.socket.send(JSON.stringify(record) + RECORD_SEPARATOR);
  }

  private fail(reason: string): void {
    clearInterval(this.pinger);
    for (const [, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error(`CONNECTION_CLOSED: ${reason}`));
    }
    this.pending.clear();
    const closed = this.onClosed;
    this.onClosed = () => {};
    closed(reason);
  }
}

/** Connects a device and waits for the handshake. */
export async function connect(baseUrl: string, token: string, deviceId: string): Promise<HubConnection> {
  const connection = new HubConnection(baseUrl, token, deviceId);
  await connection.start();
  return connection;
}

/** Settings every script shares, from the environment (k6 run -e NAME=value). */
export const settings = {
  baseUrl: __ENV.BASE_URL ?? "http://127.0.0.1:5080",
  adminKey: __ENV.ADMIN_KEY ?? "dev-only-admin-key",
  runId: __ENV.RUN_ID ?? `k6${Date.now().toString(36)}`,
};

/** Loopback only: these scripts are for a server on the machine that runs k6. */
export function requireLoopback(baseUrl: string): void {
  const host = /^https?:\/\/(\[[^\]]+\]|[^:/]+)/.exec(baseUrl)?.[1] ?? "";
  if (!(host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host))) {
    throw new Error(`${baseUrl} is not a loopback address (127.0.0.0/8, localhost, [::1]).`);
  }
}

/** Resolves after ms milliseconds, on k6's event loop. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
