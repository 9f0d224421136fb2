// Generated from the RoamingHub.Contracts assembly by tests/RoamingHub.Tests/Contracts/TypeScriptContracts.cs: do not edit.
// TypeScriptContractsTests fails when this file differs from the contracts; regenerate it with
//   ROAMINGHUB_WRITE_TS_CONTRACTS=1 dotnet test tests/RoamingHub.Tests -c Release --filter "FullyQualifiedName~TypeScriptContractsTests"
// Times are Unix milliseconds (numbers); every key of a result or entry is present, null where it does not apply.

/** Constants of AdminApi in RoamingHub.Contracts. */
export const AdminApi = {
  ApiKeyHeader: "X-Api-Key",
  Tokens: "/api/tokens",
  Messages: "/api/messages",
  Groups: "/api/groups",
} as const;

/** Constants of ChatTypes in RoamingHub.Contracts. */
export const ChatTypes = {
  SingleChat: "singleChat",
  GroupChat: "groupChat",
} as const;

/** Constants of ErrorCodes in RoamingHub.Contracts. */
export const ErrorCodes = {
  InvalidArgument: "INVALID_ARGUMENT",
  NotFound: "NOT_FOUND",
  Forbidden: "FORBIDDEN",
  PinLimitExceeded: "PIN_LIMIT_EXCEEDED",
  ConnectionLimitExceeded: "CONNECTION_LIMIT_EXCEEDED",
  RateLimited: "RATE_LIMITED",
  Unavailable: "UNAVAILABLE",
  Unauthenticated: "UNAUTHENTICATED",
  AlreadyExists: "ALREADY_EXISTS",
  Internal: "INTERNAL",
} as const;

/** Constants of HistoryDirections in RoamingHub.Contracts. */
export const HistoryDirections = {
  Up: "up",
  Down: "down",
} as const;

/** Constants of HubEvents in RoamingHub.Contracts. */
export const HubEvents = {
  OnMessage: "onMessage",
  OnMultiDeviceEvent: "onMultiDeviceEvent",
  OnReadAck: "onReadAck",
  OnResyncRequired: "onResyncRequired",
} as const;

/** Constants of HubMethods in RoamingHub.Contracts. */
export const HubMethods = {
  SendMessage: "SendMessage",
  FetchConversations: "FetchConversations",
  FetchPinnedConversations: "FetchPinnedConversations",
  PinConversation: "PinConversation",
  GetSyncState: "GetSyncState",
  SyncEvents: "SyncEvents",
  FetchHistoryMessages: "FetchHistoryMessages",
  DeleteRemoteMessagesBefore: "DeleteRemoteMessagesBefore",
  DeleteRemoteMessagesWithIds: "DeleteRemoteMessagesWithIds",
  DeleteRemoteConversation: "DeleteRemoteConversation",
  MarkConversationRead: "MarkConversationRead",
  MarkAllConversationsRead: "MarkAllConversationsRead",
  GetUnreadSummary: "GetUnreadSummary",
  UpdateConversationExt: "UpdateConversationExt",
  GetConversation: "GetConversation",
  SetConversationMuted: "SetConversationMuted",
  MarkConversationUnread: "MarkConversationUnread",
  SetConversationMarks: "SetConversationMarks",
  DeleteRemoteConversations: "DeleteRemoteConversations",
  RecallMessage: "RecallMessage",
} as const;

/** Constants of MultiDeviceOperations in RoamingHub.Contracts. */
export const MultiDeviceOperations = {
  ConversationPinned: "CONVERSATION_PINNED",
  ConversationUnpinned: "CONVERSATION_UNPINNED",
  DeleteRoaming: "deleteRoaming",
  ConversationDeleted: "CONVERSATION_DELETED",
  ConversationRead: "CONVERSATION_READ",
  AllConversationsRead: "ALL_CONVERSATIONS_READ",
  ConversationExtUpdated: "CONVERSATION_EXT_UPDATED",
  RemovedFromGroup: "REMOVED_FROM_GROUP",
  ConversationMuted: "CONVERSATION_MUTED",
  ConversationUnmuted: "CONVERSATION_UNMUTED",
  ConversationMarkedUnread: "CONVERSATION_MARKED_UNREAD",
  ConversationMarksUpdated: "CONVERSATION_MARKS_UPDATED",
  Message: "MESSAGE",
  PeerRead: "PEER_READ",
  MessageRecalled: "MESSAGE_RECALLED",
} as const;

/** Constants of RoamingProtocol in RoamingHub.Contracts. */
export const RoamingProtocol = {
  HubPath: "/hubs/roaming",
  DeviceIdQueryParameter: "deviceId",
  AccessTokenQueryParameter: "access_token",
  SinceSeqQueryParameter: "sinceSeq",
  EpochQueryParameter: "epoch",
  ErrorCodeHeader: "X-RoamingHub-Error",
} as const;

/** AddGroupMembersRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface AddGroupMembersRequest {
  members?: string[] | null;
}

/** AdminSendMessageRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface AdminSendMessageRequest {
  from?: string | null;
  to?: string | null;
  chatType?: string | null;
  type?: string | null;
  body?: string | null;
}

/** Conversation of RoamingHub.Contracts. */
export interface Conversation {
  conversationId: string;
  chatType: string;
  lastMessage: Message | null;
  activityTime: number;
  createdTime: number;
  isPinned: boolean;
  pinnedTime: number | null;
  unreadCount: number;
  ext: string | null;
  peerReadTimestamp: number | null;
  muted: boolean;
  mutedUntil: number | null;
  markedUnread: boolean;
  marks: number[];
}

/** ConversationTarget of RoamingHub.Contracts. */
export interface ConversationTarget {
  conversationId: string | null;
  chatType: string | null;
}

/** CreateGroupRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface CreateGroupRequest {
  groupId?: string | null;
  owner?: string | null;
  members?: string[] | null;
}

/** DeleteConversationResult of RoamingHub.Contracts. */
export interface DeleteConversationResult {
  deleteRoam: boolean;
  seq: number;
  epoch: string | null;
}

/** DeleteConversationsResult of RoamingHub.Contracts. */
export interface DeleteConversationsResult {
  deleted: DeletedConversation[];
}

/** DeleteRemoteConversationRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface DeleteRemoteConversationRequest {
  conversationId?: string | null;
  chatType?: string | null;
  deleteRoam?: boolean | null;
  clientOpId?: string | null;
}

/** DeleteRemoteConversationsRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface DeleteRemoteConversationsRequest {
  conversations?: ConversationTarget[] | null;
  deleteRoam?: boolean | null;
  clientOpId?: string | null;
}

/** DeleteRemoteMessagesBeforeRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface DeleteRemoteMessagesBeforeRequest {
  conversationId?: string | null;
  chatType?: string | null;
  timestamp: number;
  clientOpId?: string | null;
}

/** DeleteRemoteMessagesWithIdsRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface DeleteRemoteMessagesWithIdsRequest {
  conversationId?: string | null;
  chatType?: string | null;
  msgIds?: string[] | null;
  clientOpId?: string | null;
}

/** DeleteRoamingResult of RoamingHub.Contracts. */
export interface DeleteRoamingResult {
  beforeTimestamp: number | null;
  msgIds: string[] | null;
  seq: number | null;
  epoch: string | null;
}

/** DeletedConversation of RoamingHub.Contracts. */
export interface DeletedConversation {
  conversationId: string;
  chatType: string;
  seq: number;
  epoch: string | null;
}

/** FetchConversationsRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface FetchConversationsRequest {
  cursor?: string | null;
  pageSize?: number | null;
  mark?: number | null;
}

/** FetchHistoryMessagesRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface FetchHistoryMessagesRequest {
  conversationId?: string | null;
  chatType?: string | null;
  cursor?: string | null;
  pageSize?: number | null;
  direction?: string | null;
}

/** GetConversationRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface GetConversationRequest {
  conversationId?: string | null;
  chatType?: string | null;
}

/** Group of RoamingHub.Contracts. */
export interface Group {
  groupId: string;
  owner: string;
  members: string[];
  createdTime: number;
}

/** IssueTokenRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface IssueTokenRequest {
  userId?: string | null;
}

/** IssueTokenResponse of RoamingHub.Contracts. */
export interface IssueTokenResponse {
  accessToken: string;
  expiresAt: number;
}

/** MarkAllConversationsReadRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface MarkAllConversationsReadRequest {
  clientOpId?: string | null;
}

/** MarkAllReadResult of RoamingHub.Contracts. */
export interface MarkAllReadResult {
  readTimestamp: number;
  seq: number;
  epoch: string | null;
}

/** MarkConversationReadRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface MarkConversationReadRequest {
  conversationId?: string | null;
  chatType?: string | null;
  timestamp?: number | null;
  clientOpId?: string | null;
}

/** MarkConversationUnreadRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface MarkConversationUnreadRequest {
  conversationId?: string | null;
  chatType?: string | null;
  clientOpId?: string | null;
}

/** MarkReadResult of RoamingHub.Contracts. */
export interface MarkReadResult {
  readTimestamp: number;
  unreadCount: number;
  seq: number | null;
  epoch: string | null;
}

/** MarkUnreadResult of RoamingHub.Contracts. */
export interface MarkUnreadResult {
  seq: number | null;
  epoch: string | null;
}

/** MarksResult of RoamingHub.Contracts. */
export interface MarksResult {
  marks: number[];
  seq: number | null;
  epoch: string | null;
}

/** Message of RoamingHub.Contracts. */
export interface Message {
  msgId: string;
  conversationId: string;
  chatType: string;
  from: string;
  to: string;
  timestamp: number;
  type: string;
  body: string;
  seq: number | null;
  epoch: string | null;
}

/** MultiDeviceEvent of RoamingHub.Contracts. */
export interface MultiDeviceEvent {
  seq: number;
  operation: string;
  conversationId: string;
  chatType: string;
  timestamp: number;
  fromDeviceId: string;
  pinnedTime: number | null;
  beforeTimestamp: number | null;
  msgIds: string[] | null;
  deleteRoam: boolean | null;
  readTimestamp: number | null;
  ext: string | null;
  epoch: string | null;
  message: Message | null;
  mutedUntil: number | null;
  marks: number[] | null;
  msgId: string | null;
}

/** MuteResult of RoamingHub.Contracts. */
export interface MuteResult {
  muted: boolean;
  mutedUntil: number | null;
  seq: number | null;
  epoch: string | null;
}

/** Page of RoamingHub.Contracts. */
export interface Page<T> {
  data: T[];
  cursor: string | null;
}

/** PinConversationRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface PinConversationRequest {
  conversationId?: string | null;
  chatType?: string | null;
  isPinned: boolean;
  clientOpId?: string | null;
}

/** PinResult of RoamingHub.Contracts. */
export interface PinResult {
  isPinned: boolean;
  pinnedTime: number | null;
  seq: number | null;
  epoch: string | null;
}

/** ReadAck of RoamingHub.Contracts. */
export interface ReadAck {
  conversationId: string;
  chatType: string;
  readTimestamp: number;
  seq: number | null;
  epoch: string | null;
}

/** RecallMessageRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface RecallMessageRequest {
  conversationId?: string | null;
  chatType?: string | null;
  msgId?: string | null;
  clientOpId?: string | null;
}

/** RecallMessageResult of RoamingHub.Contracts. */
export interface RecallMessageResult {
  msgId: string;
  seq: number | null;
  epoch: string | null;
}

/** ResyncRequired of RoamingHub.Contracts. */
export interface ResyncRequired {
  lastSeq: number;
  epoch: string | null;
}

/** SendMessageRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface SendMessageRequest {
  to?: string | null;
  chatType?: string | null;
  type?: string | null;
  body?: string | null;
  clientMsgId?: string | null;
  clientOpId?: string | null;
}

/** SetConversationMarksRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface SetConversationMarksRequest {
  conversationId?: string | null;
  chatType?: string | null;
  add?: number[] | null;
  remove?: number[] | null;
  clientOpId?: string | null;
}

/** SetConversationMutedRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface SetConversationMutedRequest {
  conversationId?: string | null;
  chatType?: string | null;
  muted: boolean;
  mutedUntil?: number | null;
  clientOpId?: string | null;
}

/** SyncEventsRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface SyncEventsRequest {
  sinceSeq: number;
  limit?: number | null;
  epoch?: string | null;
}

/** SyncEventsResult of RoamingHub.Contracts. */
export interface SyncEventsResult {
  events: MultiDeviceEvent[];
  lastSeq: number;
  hasMore: boolean;
  resyncRequired: boolean;
  epoch: string | null;
}

/** SyncState of RoamingHub.Contracts. */
export interface SyncState {
  lastSeq: number;
  epoch: string | null;
}

/** UnreadSummary of RoamingHub.Contracts. */
export interface UnreadSummary {
  totalUnread: number;
  conversationsWithUnread: number;
  totalUnreadUnmuted: number;
}

/** UpdateConversationExtRequest of RoamingHub.Contracts; nullable fields may be left out. */
export interface UpdateConversationExtRequest {
  conversationId?: string | null;
  chatType?: string | null;
  ext?: string | null;
  clientOpId?: string | null;
}

/** UpdateExtResult of RoamingHub.Contracts. */
export interface UpdateExtResult {
  ext: string | null;
  seq: number | null;
  epoch: string | null;
}

/** The keys of each record, in the order the server writes them: a result or entry has exactly these. */
export const ContractKeys = {
  AddGroupMembersRequest: ["members"],
  AdminSendMessageRequest: ["from", "to", "chatType", "type", "body"],
  Conversation: ["conversationId", "chatType", "lastMessage", "activityTime", "createdTime", "isPinned", "pinnedTime", "unreadCount", "ext", "peerReadTimestamp", "muted", "mutedUntil", "markedUnread", "marks"],
  ConversationTarget: ["conversationId", "chatType"],
  CreateGroupRequest: ["groupId", "owner", "members"],
  DeleteConversationResult: ["deleteRoam", "seq", "epoch"],
  DeleteConversationsResult: ["deleted"],
  DeleteRemoteConversationRequest: ["conversationId", "chatType", "deleteRoam", "clientOpId"],
  DeleteRemoteConversationsRequest: ["conversations", "deleteRoam", "clientOpId"],
  DeleteRemoteMessagesBeforeRequest: ["conversationId", "chatType", "timestamp", "clientOpId"],
  DeleteRemoteMessagesWithIdsRequest: ["conversationId", "chatType", "msgIds", "clientOpId"],
  DeleteRoamingResult: ["beforeTimestamp", "msgIds", "seq", "epoch"],
  DeletedConversation: ["conversationId", "chatType", "seq", "epoch"],
  FetchConversationsRequest: ["cursor", "pageSize", "mark"],
  FetchHistoryMessagesRequest: ["conversationId", "chatType", "cursor", "pageSize", "direction"],
  GetConversationRequest: ["conversationId", "chatType"],
  Group: ["groupId", "owner", "members", "createdTime"],
  IssueTokenRequest: ["userId"],
  IssueTokenResponse: ["accessToken", "expiresAt"],
  MarkAllConversationsReadRequest: ["clientOpId"],
  MarkAllReadResult: ["readTimestamp", "seq", "epoch"],
  MarkConversationReadRequest: ["conversationId", "chatType", "timestamp", "clientOpId"],
  MarkConversationUnreadRequest: ["conversationId", "chatType", "clientOpId"],
  MarkReadResult: ["readTimestamp", "unreadCount", "seq", "epoch"],
  MarkUnreadResult: ["seq", "epoch"],
  MarksResult: ["marks", "seq", "epoch"],
  Message: ["msgId", "conversationId", "chatType", "from", "to", "timestamp", "type", "body", "seq", "epoch"],
  MultiDeviceEvent: ["seq", "operation", "conversationId", "chatType", "timestamp", "fromDeviceId", "pinnedTime", "beforeTimestamp", "msgIds", "deleteRoam", "readTimestamp", "ext", "epoch", "message", "mutedUntil", "marks", "msgId"],
  MuteResult: ["muted", "mutedUntil", "seq", "epoch"],
  Page: ["data", "cursor"],
  PinConversationRequest: ["conversationId", "chatType", "isPinned", "clientOpId"],
  PinResult: ["isPinned", "pinnedTime", "seq", "epoch"],
  ReadAck: ["conversationId", "chatType", "readTimestamp", "seq", "epoch"],
  RecallMessageRequest: ["conversationId", "chatType", "msgId", "clientOpId"],
  RecallMessageResult: ["msgId", "seq", "epoch"],
  ResyncRequired: ["lastSeq", "epoch"],
  SendMessageRequest: ["to", "chatType", "type", "body", "clientMsgId", "clientOpId"],
  SetConversationMarksRequest: ["conversationId", "chatType", "add", "remove", "clientOpId"],
  SetConversationMutedRequest: ["conversationId", "chatType", "muted", "mutedUntil", "clientOpId"],
  SyncEventsRequest: ["sinceSeq", "limit", "epoch"],
  SyncEventsResult: ["events", "lastSeq", "hasMore", "resyncRequired", "epoch"],
  SyncState: ["lastSeq", "epoch"],
  UnreadSummary: ["totalUnread", "conversationsWithUnread", "totalUnreadUnmuted"],
  UpdateConversationExtRequest: ["conversationId", "chatType", "ext", "clientOpId"],
  UpdateExtResult: ["ext", "seq", "epoch"],
} as const;
