import { RoamingProtocol } from "./contracts.generated.js";
import { RoamingHubError, codeForStatus } from "./errors.js";

/** The hub's URL for one connection attempt: the device, and where it stands in its stream once it knows. */
export function hubUrl(serverUrl: string, deviceId: string | undefined, position: { seq: number | null; epoch: string | null }): string {
  const base = serverUrl.replace(/\/+$/, "") + RoamingProtocol.HubPath;
  const query: string[] = [];
  if (deviceId !== undefined) {
    query.push(`${RoamingProtocol.DeviceIdQueryParameter}=${encodeURIComponent(deviceId)}`);
  }

  if (position.seq !== null) {
    query.push(`${RoamingProtocol.SinceSeqQueryParameter}=${position.seq}`);
    if (position.epoch !== null) {
      query.push(`${RoamingProtocol.EpochQueryParameter}=${encodeURIComponent(position.epoch)}`);
    }
  }

  return query.length > 0 ? `${base}?${query.join("&")}` : base;
}

/**
 * Why a WebSocket could not be opened. Browsers (and @microsoft/signalr on Node) do not expose the status or headers
 * of a refused upgrade, so the client asks the hub's negotiate endpoint, which the server refuses the same way
 * (401 without a valid token, 409 `CONNECTION_LIMIT_EXCEEDED`, 403 `FORBIDDEN` for an origin it does not allow),
 * with the code in the `X-RoamingHub-Error` header. Undefined when that answers 200 or not at all: nothing says the
 * server refuses this device, so the failure may pass.
 */
export async function diagnoseRefusal(serverUrl: string, deviceId: string | undefined, token: string | undefined): Promise<RoamingHubError | undefined> {
  if (typeof fetch !== "function") {
    return undefined;
  }

  const url = serverUrl.replace(/\/+$/, "") + RoamingProtocol.HubPath + "/negotiate?negotiateVersion=1"
    + (deviceId === undefined ? "" : `&${RoamingProtocol.DeviceIdQueryParameter}=${encodeURIComponent(deviceId)}`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch {
    return undefined;
  }

  // The body is not needed; reading it lets the connection be reused.
  await response.text().catch(() => "");
  if (response.ok) {
    return undefined;
  }

  const header = response.headers.get(RoamingProtocol.ErrorCodeHeader);
  const code = header && /^[A-Z][A-Z0-9_]*$/.test(header) ? header : codeForStatus(response.status);
  return new RoamingHubError(code, `The server refused the connection (HTTP ${response.status}).`, { statusCode: response.status });
}

/** Waits `ms`, or less when `signal` fires; resolves either way. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }

    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * The wait before reconnect attempt `attempt` (0 first): a random time below a ceiling that doubles from 1 s up to
 * 30 s ("full jitter", as the .NET client's JitteredReconnectPolicy), so devices that lost one node together do not
 * all come back at the same instants, and a longer outage never leaves a device offline for good.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 10));
  return ceiling * random();
}

/** A random id for `clientOpId` or `clientMsgId`; crypto.randomUUID where there is one (Node 19+, secure browser pages). */
export function newClientId(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string; getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
  if (typeof crypto?.randomUUID === "function") {
    return crypto.randomUUID();
  }

  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === "function") {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }

  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
