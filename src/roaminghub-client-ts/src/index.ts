export { RoamingHubClient } from "./client.js";
export type { ConnectionState, RoamingHubClientEvents, RoamingHubClientOptions } from "./client.js";
export { RoamingHubError } from "./errors.js";
export { newClientId } from "./connect.js";
export type { StreamPosition } from "./sequencer.js";
export * from "./contracts.generated.js";
export type { Message as MessageEntry } from "./contracts.generated.js";
