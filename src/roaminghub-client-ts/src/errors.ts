import { ErrorCodes } from "./contracts.generated.js";

/**
 * A failed call or a refused connection, with the server's stable error code (`INVALID_ARGUMENT`, `NOT_FOUND`,
 * `CONNECTION_LIMIT_EXCEEDED`, `UNAUTHENTICATED`, …; docs/protocol.md lists them). Its message is `CODE: sentence`,
 * as the server words every error. A call that got no answer (the connection went away, or the invocation timed
 * out) fails with `UNAVAILABLE`: repeat it with the same `clientOpId`.
 */
export class RoamingHubError extends Error {
  /** The error code: the part of the server's message before its first colon. */
  readonly code: string;
  /** The HTTP status the server refused the connection with, when it was a refusal before the handshake. */
  readonly statusCode: number | undefined;

  constructor(code: string, sentence: string, options?: { statusCode?: number; cause?: unknown }) {
    super(`${code}: ${sentence}`);
    this.name = "RoamingHubError";
    this.code = code;
    this.statusCode = options?.statusCode;
    if (options?.cause !== undefined) {
      (this as { cause?: unknown }).cause = options.cause;
    }
  }
}

/** How @microsoft/signalr words a Close message that carries an error. */
const closePrefix = "Server returned an error on close: ";

const codePattern = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/;

/** `CODE: sentence` split in two, or undefined when the text does not start with a code. */
export function splitCode(text: string): { code: string; sentence: string } | undefined {
  const match = codePattern.exec(text);
  return match ? { code: match[1]!, sentence: match[2]! } : undefined;
}

/** The text of an error SignalR gives, whatever it is. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error a failed call rejects with: the server's `CODE: sentence` as a {@link RoamingHubError}; anything else
 * (the connection closed under the call) as `UNAVAILABLE`.
 */
export function callError(error: unknown): RoamingHubError {
  if (error instanceof RoamingHubError) {
    return error;
  }

  const message = messageOf(error);
  const closed = message.startsWith(closePrefix) ? splitCode(message.slice(closePrefix.length)) : undefined;
  const coded = closed ?? splitCode(message);
  return coded
    ? new RoamingHubError(coded.code, coded.sentence, { cause: error })
    : new RoamingHubError(ErrorCodes.Unavailable, `The call got no answer: ${message}`, { cause: error });
}

/**
 * The refusal a connection's Close message carries (`Server returned an error on close: CODE: sentence`), or
 * undefined for a close without a code (a close for a reconnect, a token that expired, a dropped socket).
 */
export function closeRefusal(error: unknown): RoamingHubError | undefined {
  if (error === undefined || error === null) {
    return undefined;
  }

  const message = messageOf(error);
  const coded = message.startsWith(closePrefix) ? splitCode(message.slice(closePrefix.length)) : undefined;
  return coded ? new RoamingHubError(coded.code, coded.sentence, { cause: error }) : undefined;
}

/**
 * Codes of a server that could not serve the request now, rather than of one that refuses it: trying again may
 * succeed (the codes of the HTTP statuses 503, 429 and 500).
 */
export function mayPass(code: string): boolean {
  return code === ErrorCodes.Unavailable || code === ErrorCodes.RateLimited || code === ErrorCodes.Internal;
}

/** Whether another attempt to connect may succeed where this refusal failed. */
export function isTransient(error: RoamingHubError): boolean {
  const status = error.statusCode;
  if (status !== undefined) {
    return status >= 500 || status === 408 || status === 429;
  }

  return mayPass(error.code);
}

/** The code each status means on the hub path, where a proxy or the authentication step answered without the header. */
export function codeForStatus(status: number): string {
  switch (status) {
    case 401:
      return ErrorCodes.Unauthenticated;
    case 403:
      return ErrorCodes.Forbidden;
    case 404:
      return ErrorCodes.NotFound;
    case 409:
      return ErrorCodes.ConnectionLimitExceeded;
    case 429:
      return ErrorCodes.RateLimited;
    case 500:
      return ErrorCodes.Internal;
    default:
      return status === 408 || status >= 500 ? ErrorCodes.Unavailable : ErrorCodes.InvalidArgument;
  }
}
