// The RoamingHub playground: one page, one device. It signs in through the Development-only POST /dev/tokens, connects
// with @roaminghub/client, and keeps a model of the user's conversations that it changes from the stream's entries
// (or refetches, where an entry does not say enough), so two tabs of one user show each other's pins, reads and
// deletions. Built into src/RoamingHub.Server/Playground/playground.js by `npm run build:playground`.
import {
  ChatTypes,
  HistoryDirections,
  MultiDeviceOperations,
  RoamingHubClient,
  RoamingHubError,
  newClientId,
  type Conversation,
  type Message,
  type MultiDeviceEvent,
  type ReadAck,
} from "@roaminghub/client";

/** What a call that changes state answers besides its own fields: the seq of the entry it made, or null. */
interface Entry {
  seq: number | null;
}

const ListPageSize = 20;
const HistoryPageSize = 20;
const LogLength = 300;

// ---- the page's elements, by their data-testid ----

const byTestId = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const element = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!element) throw new Error(`The page has no element ${id}.`);
  return element;
};

const ui = {
  session: byTestId("session"),
  who: byTestId("who"),
  state: byTestId("connection-state"),
  position: byTestId("position"),
  unreadTotal: byTestId("unread-total"),
  markAllRead: byTestId<HTMLButtonElement>("mark-all-read"),
  signOut: byTestId<HTMLButtonElement>("sign-out"),
  error: byTestId("error-banner"),
  signIn: byTestId("sign-in"),
  signInForm: byTestId<HTMLFormElement>("signin-form"),
  app: byTestId("app"),
  newConversation: byTestId<HTMLFormElement>("new-conversation"),
  list: byTestId("conversation-list"),
  listEmpty: byTestId("conversation-list-empty"),
  loadMore: byTestId<HTMLButtonElement>("load-more-conversations"),
  noConversation: byTestId("no-conversation"),
  openConversation: byTestId("open-conversation"),
  title: byTestId("conversation-title"),
  pinToggle: byTestId<HTMLButtonElement>("pin-toggle"),
  markRead: byTestId<HTMLButtonElement>("mark-read"),
  deleteSelected: byTestId<HTMLButtonElement>("delete-selected"),
  deleteBefore: byTestId<HTMLButtonElement>("delete-before"),
  deleteRoam: byTestId<HTMLInputElement>("delete-roam"),
  deleteConversation: byTestId<HTMLButtonElement>("delete-conversation"),
  loadOlder: byTestId<HTMLButtonElement>("load-older"),
  history: byTestId("history-list"),
  sendForm: byTestId<HTMLFormElement>("send-form"),
  log: byTestId("event-log"),
};

// ---- state ----

let client: RoamingHubClient | null = null;
let me = { user: "", device: "" };
/** Every conversation loaded so far, by chatType and id. */
let conversations = new Map<string, Conversation>();
let listCursor: string | null = null;
let listPagesLoaded = 0;
let open: { chatType: string; conversationId: string } | null = null;
/** The open conversation's loaded messages, oldest first. */
let history: Message[] = [];
let historyCursor: string | null = null;
const selected = new Set<string>();

/**
 * What an entry changes about a conversation. A pin and a message are independent, so each has its own last seq: a
 * message pushed at seq 5 must not make the pin this device's own call made at seq 4 look stale. "count" is the
 * unread count (others' messages raise it, reads clear it), "unreadMark" the flag MarkConversationUnread sets.
 */
type Aspect = "pin" | "count" | "unreadMark" | "mute" | "marks";
/** The seq of the newest entry or own result applied, by aspect and conversation. */
const lastSeqByKey = new Map<string, number>();

/**
 * Records `seq` for one aspect of a conversation and says whether it is newer than what was applied. An own call's
 * result comes back at once while the entries before it may still be on their way as pushes, so applying in arrival
 * order would let an older state overwrite a newer one (and two tabs disagree): only the higher seq wins; the rest is
 * logged but not applied. A null seq (a call that changed nothing) applies nothing.
 */
function isNewer(aspect: Aspect, key: string, seq: number | null | undefined): boolean {
  if (seq == null) return false;
  const slot = `${aspect}|${key}`;
  if ((lastSeqByKey.get(slot) ?? 0) >= seq) return false;
  lastSeqByKey.set(slot, seq);
  return true;
}

const keyOf = (chatType: string, conversationId: string) => `${chatType}:${conversationId}`;
const isOpen = (chatType: string, conversationId: string) =>
  open !== null && open.chatType === chatType && open.conversationId === conversationId;
const connected = (): RoamingHubClient => {
  if (!client) throw new Error("Not signed in.");
  return client;
};

// ---- sign-in ----

async function requestToken(user: string, device: string): Promise<string> {
  const response = await fetch("/dev/tokens", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userId: user, deviceId: device }),
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => null) as { code?: string; detail?: string } | null;
    throw new Error(problem?.detail ? `${problem.code}: ${problem.detail}` : `POST /dev/tokens answered ${response.status}.`);
  }
  const { accessToken } = await response.json() as { accessToken: string };
  return accessToken;
}

async function signIn(user: string, device: string, protocol: "messagepack" | "json") {
  // The first token also proves the user and device are valid before anything is shown.
  let firstToken: string | null = await requestToken(user, device);
  me = { user: user.toLowerCase(), device: device.toLowerCase() };

  const hub = new RoamingHubClient({
    serverUrl: location.origin,
    // A reconnect after the token expired must not present it again: every later call asks for a fresh one.
    accessTokenFactory: async () => {
      const token = firstToken;
      firstToken = null;
      return token ?? await requestToken(me.user, me.device);
    },
    deviceId: me.device,
    protocol,
    automaticReconnect: true,
    onPositionChanged: () => renderPosition(),
  });
  hub.on("message", (message) => onMessage(message, "push"));
  hub.on("event", (event) => onEvent(event));
  hub.on("readAck", (ack) => onReadAck(ack));
  hub.on("resyncRequired", () => {
    // The stream was trimmed or began a new epoch: seqs from before say nothing about the refetched state.
    lastSeqByKey.clear();
    log({ operation: "RESYNC_REQUIRED", source: "resync", detail: "the stream no longer reaches this device's position: refetching" });
    void act(reloadEverything);
  });
  hub.on("catchUpFailed", (error) => log({ operation: "CATCH_UP_FAILED", source: "resync", detail: describe(error) }));
  hub.on("stateChanged", () => renderState());
  // Stopped for good by a refusal (an expired token, say): say why, and let the user sign in again.
  hub.on("closed", (error) => showError(`Disconnected: ${error.message}`));
  client = hub;
  // The session bar (its state and Sign out) shows while connecting, so a start that takes long can be given up.
  ui.who.textContent = `${me.user} · ${me.device}`;
  ui.session.hidden = false;
  renderState();
  try {
    await hub.start();
  } catch (error) {
    if (client !== hub) return; // signed out while connecting: stop() ended the start, nothing to report
    client = null;
    ui.session.hidden = true;
    throw error;
  }
  if (client !== hub) return;

  ui.signIn.hidden = true;
  ui.app.hidden = false;
  renderState();
  renderPosition();
  await reloadEverything();
}

async function signOut() {
  const hub = client;
  client = null;
  // Nothing scheduled for the old session may run against the next one (or fail with "Not signed in").
  clearTimeout(reloadTimer);
  clearTimeout(summaryTimer);
  // Also while connecting: stop() ends a start() under way.
  await hub?.stop();
  conversations = new Map();
  listCursor = null;
  listPagesLoaded = 0;
  entriesApplied = 0;
  lastSeqByKey.clear();
  closeConversation();
  renderList(); // the next user must not see this one's list, even for a moment
  ui.unreadTotal.textContent = "0 unread";
  delete ui.unreadTotal.dataset.total;
  renderState();
  renderPosition();
  ui.log.replaceChildren();
  ui.app.hidden = true;
  ui.session.hidden = true;
  ui.signIn.hidden = false;
}

// ---- the conversation list ----

async function reloadEverything() {
  await reloadLists();
  if (open) await loadHistory(open.chatType, open.conversationId);
}

/** Counts the entries applied to the model, so a reload can tell whether one arrived while it was reading. */
let entriesApplied = 0;

/** Fetches the pinned list whole and as many pages of the list as were loaded, replacing the model. */
async function reloadLists() {
  const hub = connected();
  const appliedBefore = entriesApplied;
  const fresh = new Map<string, Conversation>();
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const pinned = await hub.fetchPinnedConversations({ ...(cursor ? { cursor } : {}), pageSize: 50 });
    for (const c of pinned.data) if (c.isPinned) fresh.set(keyOf(c.chatType, c.conversationId), c);
    cursor = pinned.cursor;
    if (!cursor) break;
  }

  cursor = null;
  const pages = Math.max(1, listPagesLoaded);
  listPagesLoaded = 0;
  for (let page = 0; page < pages; page++) {
    const list = await hub.fetchConversations({ ...(cursor ? { cursor } : {}), pageSize: ListPageSize });
    for (const c of list.data) fresh.set(keyOf(c.chatType, c.conversationId), c);
    listPagesLoaded++;
    cursor = list.cursor;
    if (!cursor) break;
  }

  if (client !== hub) return; // signed out while reading: the lists belong to a session that is gone
  listCursor = cursor;
  conversations = fresh;
  renderList();
  renderChat();
  refreshUnreadSummary();
  // An entry applied to the old model meanwhile may be missing from what was read: read again.
  if (entriesApplied !== appliedBefore) scheduleReload();
}

async function loadMoreConversations() {
  if (!listCursor) return;
  const hub = connected();
  const page = await hub.fetchConversations({ cursor: listCursor, pageSize: ListPageSize });
  if (client !== hub) return;
  for (const c of page.data) conversations.set(keyOf(c.chatType, c.conversationId), c);
  listCursor = page.cursor;
  listPagesLoaded++;
  renderList();
}

let reloadTimer: ReturnType<typeof setTimeout> | undefined;
/** For entries that do not carry the new state (a deletion that may change the last message and the count). */
function scheduleReload() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => void act(reloadLists), 150);
}

let summaryTimer: ReturnType<typeof setTimeout> | undefined;
function refreshUnreadSummary() {
  clearTimeout(summaryTimer);
  summaryTimer = setTimeout(() => void act(async () => {
    const hub = connected();
    const summary = await hub.getUnreadSummary();
    if (client !== hub) return;
    ui.unreadTotal.textContent = `${summary.totalUnread} unread`;
    ui.unreadTotal.dataset.total = String(summary.totalUnread);
  }), 100);
}

// ---- the stream's entries ----

function onMessage(message: Message, source: "push" | "own", entrySeq: number | null = message.seq) {
  entriesApplied++;
  const sender = message.from === me.user ? "you" : message.from;
  log({ seq: entrySeq, operation: "MESSAGE", source, detail: `${message.conversationId} · ${sender}: ${message.body}` });
  const key = keyOf(message.chatType, message.conversationId);
  const conversation = conversations.get(key);
  // Another user's message after the last read applied counts; one before it is already in that read's count. (The
  // user's own messages never count, so they say nothing about a read that is still on its way.)
  const counts = message.from !== me.user && (entrySeq == null || isNewer("count", key, entrySeq));
  if (conversation) {
    // A list refetched after the message was written already counts it (its last message is this one or newer).
    const last = conversation.lastMessage;
    const inSnapshot = last !== null && (last.msgId === message.msgId || last.timestamp > message.timestamp);
    if (!last || last.timestamp <= message.timestamp) conversation.lastMessage = message;
    conversation.activityTime = Math.max(conversation.activityTime, message.timestamp);
    if (counts && !inSnapshot) conversation.unreadCount++;
  } else {
    // Not among the pages loaded (or new): its count and pin live on the server, so ask rather than guess.
    scheduleReload();
  }

  if (isOpen(message.chatType, message.conversationId) && !history.some((m) => m.msgId === message.msgId)) {
    history.push(message);
    renderHistory(true);
  }

  renderList();
  refreshUnreadSummary();
}

function onEvent(event: MultiDeviceEvent) {
  if (event.operation === MultiDeviceOperations.Message) {
    if (event.message) onMessage(event.message, "push", event.seq);
    else log({ seq: event.seq, operation: "MESSAGE", source: "push", detail: "a message this user can no longer see" });
    return;
  }
  if (event.operation === MultiDeviceOperations.PeerRead) {
    onReadAck({ conversationId: event.conversationId, chatType: ChatTypes.SingleChat, readTimestamp: event.readTimestamp ?? 0, seq: event.seq, epoch: event.epoch });
    return;
  }

  entriesApplied++;
  log({ seq: event.seq, operation: event.operation, source: "push", detail: describeEvent(event) });
  const key = keyOf(event.chatType, event.conversationId);
  const conversation = conversations.get(key);
  switch (event.operation) {
    case MultiDeviceOperations.ConversationPinned:
      if (!isNewer("pin", key, event.seq)) break;
      if (conversation) Object.assign(conversation, { isPinned: true, pinnedTime: event.pinnedTime ?? event.timestamp });
      else scheduleReload();
      break;
    case MultiDeviceOperations.ConversationUnpinned:
      if (isNewer("pin", key, event.seq) && conversation) Object.assign(conversation, { isPinned: false, pinnedTime: null });
      break;
    case MultiDeviceOperations.ConversationRead:
      if (isNewer("unreadMark", key, event.seq) && conversation) conversation.markedUnread = false;
      if (isNewer("count", key, event.seq) && conversation) {
        const read = event.readTimestamp ?? event.timestamp;
        if (!conversation.lastMessage || conversation.lastMessage.timestamp <= read) conversation.unreadCount = 0;
        else scheduleReload();
      }
      break;
    case MultiDeviceOperations.AllConversationsRead:
      for (const [k, c] of conversations) readAll(k, c, event.seq);
      break;
    case MultiDeviceOperations.ConversationMarkedUnread:
      if (isNewer("unreadMark", key, event.seq) && conversation) conversation.markedUnread = true;
      break;
    case MultiDeviceOperations.ConversationMuted:
    case MultiDeviceOperations.ConversationUnmuted:
      if (isNewer("mute", key, event.seq) && conversation) {
        const muted = event.operation === MultiDeviceOperations.ConversationMuted;
        Object.assign(conversation, { muted, mutedUntil: muted ? event.mutedUntil ?? null : null });
      }
      break;
    case MultiDeviceOperations.ConversationMarksUpdated:
      if (isNewer("marks", key, event.seq) && conversation) conversation.marks = event.marks ?? [];
      break;
    case MultiDeviceOperations.MessageRecalled:
      // The message is gone for everyone: out of the open history; the list's preview and count may change too.
      if (isOpen(event.chatType, event.conversationId) && event.msgId) hideMessages([event.msgId], null);
      if (conversation) scheduleReload();
      break;
    case MultiDeviceOperations.ConversationExtUpdated:
      if (conversation) conversation.ext = event.ext ?? null;
      break;
    case MultiDeviceOperations.ConversationDeleted:
    case MultiDeviceOperations.RemovedFromGroup:
      conversations.delete(key);
      if (isOpen(event.chatType, event.conversationId)) {
        if (event.operation === MultiDeviceOperations.RemovedFromGroup) closeConversation();
        else if (event.deleteRoam !== false) { history = []; historyCursor = null; }
      }
      break;
    case MultiDeviceOperations.DeleteRoaming:
      if (isOpen(event.chatType, event.conversationId)) {
        hideMessages(event.msgIds ?? null, event.beforeTimestamp ?? null);
      }
      if (conversation) scheduleReload();
      break;
    default:
      // A change this page does not model (a later protocol's, say): the lists say what it did.
      if (conversation) scheduleReload();
  }

  renderList();
  renderChat();
  refreshUnreadSummary();
}

/** Applies a mark-all-read entry (or result) to one conversation, each part only where it is the newer. */
function readAll(key: string, conversation: Conversation, seq: number | null) {
  if (isNewer("count", key, seq)) conversation.unreadCount = 0;
  if (isNewer("unreadMark", key, seq)) conversation.markedUnread = false;
}

function onReadAck(ack: ReadAck) {
  log({ seq: ack.seq, operation: "PEER_READ", source: "push", detail: `${ack.conversationId} read up to ${time(ack.readTimestamp)}` });
  const conversation = conversations.get(keyOf(ChatTypes.SingleChat, ack.conversationId));
  if (conversation) conversation.peerReadTimestamp = Math.max(conversation.peerReadTimestamp ?? 0, ack.readTimestamp);
  if (isOpen(ChatTypes.SingleChat, ack.conversationId)) renderHistory(false);
}

function describeEvent(event: MultiDeviceEvent): string {
  const what = event.conversationId ? `${event.conversationId}` : "every conversation";
  const extra =
    event.operation === MultiDeviceOperations.DeleteRoaming ? (event.msgIds ? `, ${event.msgIds.length} message(s)` : `, up to ${time(event.beforeTimestamp ?? 0)}`)
    : event.operation === MultiDeviceOperations.ConversationDeleted ? (event.deleteRoam ? ", history hidden" : "")
    : event.operation === MultiDeviceOperations.ConversationExtUpdated ? `, ext ${JSON.stringify(event.ext)}`
    : "";
  return `${what}${extra} · from ${event.fromDeviceId}`;
}

// ---- the open conversation ----

async function openConversation(chatType: string, conversationId: string) {
  open = { chatType, conversationId };
  history = [];
  historyCursor = null;
  selected.clear();
  renderList();
  renderChat();
  await loadHistory(chatType, conversationId);
}

function closeConversation() {
  open = null;
  history = [];
  historyCursor = null;
  selected.clear();
  renderChat();
}

async function loadHistory(chatType: string, conversationId: string, older = false) {
  const page = await connected().fetchHistoryMessages({
    conversationId, chatType, direction: HistoryDirections.Up, pageSize: HistoryPageSize, ...(older && historyCursor ? { cursor: historyCursor } : {}),
  });
  if (!isOpen(chatType, conversationId)) return;
  const known = new Set(history.map((m) => m.msgId));
  const fetched = page.data.filter((m) => !known.has(m.msgId)).reverse();
  history = older ? [...fetched, ...history] : mergeByTime(fetched, history);
  historyCursor = page.cursor;
  renderChat();
  renderHistory(!older);
}

function mergeByTime(a: Message[], b: Message[]): Message[] {
  const seen = new Set<string>();
  return [...a, ...b].filter((m) => !seen.has(m.msgId) && seen.add(m.msgId)).sort((x, y) => x.timestamp - y.timestamp);
}

function hideMessages(msgIds: string[] | null, beforeTimestamp: number | null) {
  const ids = new Set(msgIds ?? []);
  history = history.filter((m) => !ids.has(m.msgId) && !(beforeTimestamp !== null && m.timestamp <= beforeTimestamp));
  for (const id of ids) selected.delete(id);
  renderHistory(false);
}

async function send(body: string) {
  if (!open) return;
  const message = await connected().sendMessage({ to: open.conversationId, chatType: open.chatType, body, clientMsgId: newClientId() });
  onMessage(message, "own");
}

async function togglePin() {
  if (!open) return;
  const current = conversations.get(keyOf(open.chatType, open.conversationId));
  const isPinned = !(current?.isPinned ?? false);
  const result =
    await connected().pinConversation({ conversationId: open.conversationId, chatType: open.chatType, isPinned });
  const key = keyOf(open.chatType, open.conversationId);
  const conversation = conversations.get(key);
  // Not newer: a push after this call was applied already (or nothing changed), and it says the current state.
  const newer = isNewer("pin", key, result.seq);
  if (!conversation) scheduleReload(); // pinning creates the conversation in the list
  else if (newer) Object.assign(conversation, { isPinned: result.isPinned, pinnedTime: result.pinnedTime });
  own(result, result.isPinned ? "CONVERSATION_PINNED" : "CONVERSATION_UNPINNED", open.conversationId);
  renderList();
  renderChat();
}

async function markRead() {
  if (!open) return;
  const result =
    await connected().markConversationRead({ conversationId: open.conversationId, chatType: open.chatType });
  const key = keyOf(open.chatType, open.conversationId);
  const conversation = conversations.get(key);
  if (isNewer("unreadMark", key, result.seq) && conversation) conversation.markedUnread = false;
  if (isNewer("count", key, result.seq) && conversation) conversation.unreadCount = result.unreadCount;
  own(result, "CONVERSATION_READ", open.conversationId);
  renderList();
  refreshUnreadSummary();
}

async function markAllRead() {
  const result = await connected().markAllConversationsRead();
  for (const [k, c] of conversations) readAll(k, c, result.seq);
  own(result, "ALL_CONVERSATIONS_READ", "every conversation");
  renderList();
  refreshUnreadSummary();
}

async function deleteSelected() {
  if (!open || selected.size === 0) return;
  const msgIds = [...selected];
  const result =
    await connected().deleteRemoteMessagesWithIds({ conversationId: open.conversationId, chatType: open.chatType, msgIds });
  // Those already hidden are gone for this user as well, so every selected one leaves the page.
  hideMessages(msgIds, null);
  own(result, "deleteRoaming", `${open.conversationId}, ${result.msgIds?.length ?? 0} message(s)`);
  scheduleReload();
}

async function clearHistory() {
  if (!open) return;
  const newest = history.at(-1)?.timestamp ?? Date.now();
  const result =
    await connected().deleteRemoteMessagesBefore({ conversationId: open.conversationId, chatType: open.chatType, timestamp: newest });
  hideMessages(null, result.beforeTimestamp ?? newest);
  own(result, "deleteRoaming", `${open.conversationId}, up to ${time(result.beforeTimestamp ?? newest)}`);
  scheduleReload();
}

async function deleteConversation() {
  if (!open) return;
  const deleteRoam = ui.deleteRoam.checked;
  const { chatType, conversationId } = open;
  const result = await connected().deleteRemoteConversation({ conversationId, chatType, deleteRoam });
  conversations.delete(keyOf(chatType, conversationId));
  own(result, "CONVERSATION_DELETED", `${conversationId}${deleteRoam ? ", history hidden" : ""}`);
  closeConversation();
  renderList();
  refreshUnreadSummary();
}

// ---- rendering ----

function renderState() {
  const state = String(client?.state ?? "disconnected").toLowerCase();
  ui.state.dataset.state = state;
  ui.state.textContent = state;
}

function renderPosition() {
  const position = client?.position as { seq?: number | null; epoch?: string | null } | undefined;
  const seq = position?.seq ?? null;
  ui.position.dataset.seq = seq === null ? "" : String(seq);
  ui.position.textContent = seq === null ? "seq –" : `seq ${seq}${position?.epoch ? ` · epoch ${position.epoch.slice(0, 8)}` : ""}`;
  ui.position.title = `The last entry of the stream this device applied${position?.epoch ? ` (epoch ${position.epoch})` : ""}`;
}

function sortedConversations(): Conversation[] {
  return [...conversations.values()].sort((a, b) =>
    a.isPinned !== b.isPinned ? (a.isPinned ? -1 : 1)
    : a.isPinned ? (b.pinnedTime ?? 0) - (a.pinnedTime ?? 0)
    : b.activityTime - a.activityTime);
}

function renderList() {
  const items = sortedConversations().map((c) => {
    const item = element("li", { testid: "conversation-item" });
    item.dataset.conversationId = c.conversationId;
    item.dataset.chatType = c.chatType;
    item.dataset.pinned = String(c.isPinned);
    item.dataset.unread = String(c.unreadCount);
    item.setAttribute("aria-current", String(isOpen(c.chatType, c.conversationId)));
    const name = element("span", { className: "name", text: c.conversationId });
    if (c.chatType === ChatTypes.GroupChat) name.append(" ", element("span", { className: "kind", text: "group" }));
    if (c.isPinned) name.append(" ", element("span", { className: "pin", testid: "conversation-pinned", text: "pinned" }));
    if (c.muted) name.append(" ", element("span", { className: "flag", testid: "conversation-muted", text: "muted" }));
    if (c.markedUnread) name.append(" ", element("span", { className: "flag", testid: "conversation-marked-unread", text: "unread" }));
    if (c.marks?.length) name.append(" ", element("span", { className: "flag", testid: "conversation-marks", text: `marks ${c.marks.join(",")}` }));
    const unread = element("span", { className: "unread", testid: "conversation-unread", text: String(c.unreadCount) });
    unread.dataset.count = String(c.unreadCount);
    const last = c.lastMessage;
    const preview = last ? `${last.from === me.user ? "You: " : ""}${last.body}` : "No messages";
    item.append(name, unread, element("span", { className: "last", testid: "conversation-last-message", text: preview }));
    item.addEventListener("click", () => void act(() => openConversation(c.chatType, c.conversationId)));
    return item;
  });
  ui.list.replaceChildren(...items);
  ui.listEmpty.hidden = items.length > 0;
  ui.loadMore.hidden = listCursor === null;
}

function renderChat() {
  ui.noConversation.hidden = open !== null;
  ui.openConversation.hidden = open === null;
  if (!open) return;
  const conversation = conversations.get(keyOf(open.chatType, open.conversationId));
  ui.title.textContent = open.chatType === ChatTypes.GroupChat ? `${open.conversationId} (group)` : open.conversationId;
  ui.pinToggle.textContent = conversation?.isPinned ? "Unpin" : "Pin";
  ui.pinToggle.dataset.pinned = String(conversation?.isPinned ?? false);
  ui.markRead.disabled = !conversation;
  ui.deleteConversation.disabled = !conversation;
  ui.deleteSelected.disabled = selected.size === 0;
  ui.loadOlder.hidden = historyCursor === null;
}

function renderHistory(scrollToEnd: boolean) {
  if (!open) return;
  const conversation = conversations.get(keyOf(open.chatType, open.conversationId));
  const peerRead = conversation?.peerReadTimestamp ?? null;
  const items = history.map((m) => {
    const mine = m.from === me.user;
    const item = element("li", { testid: "history-message", className: mine ? "mine" : "" });
    item.dataset.msgId = m.msgId;
    const select = element("input", { testid: "message-select" });
    select.type = "checkbox";
    select.checked = selected.has(m.msgId);
    select.title = "Select to delete";
    select.addEventListener("change", () => {
      if (select.checked) selected.add(m.msgId);
      else selected.delete(m.msgId);
      ui.deleteSelected.disabled = selected.size === 0;
    });
    const read = mine && peerRead !== null && m.timestamp <= peerRead ? " · ✓ read" : "";
    const bubble = element("div", { className: "bubble" });
    bubble.append(
      element("span", { className: "meta", text: `${mine ? "you" : m.from} · ${time(m.timestamp)}${read}` }),
      element("span", { className: "body", testid: "message-body", text: m.body }));
    item.append(select, bubble);
    return item;
  });
  ui.history.replaceChildren(...items);
  ui.deleteSelected.disabled = selected.size === 0;
  if (scrollToEnd) ui.history.scrollTop = ui.history.scrollHeight;
}

interface LogLine {
  seq?: number | null;
  operation: string;
  source: "push" | "own" | "resync";
  detail: string;
}

function log(line: LogLine) {
  const item = element("li", { testid: "log-entry" });
  item.dataset.seq = line.seq == null ? "" : String(line.seq);
  item.dataset.operation = line.operation;
  item.dataset.source = line.source;
  const who = line.source === "own" ? " (this device)" : "";
  item.append(
    element("span", { className: "seq", text: line.seq == null ? "–" : `#${line.seq}` }),
    element("span", { className: "op", text: line.operation + who }),
    element("span", { className: "detail", text: line.detail }));
  ui.log.prepend(item);
  while (ui.log.childElementCount > LogLength) ui.log.lastElementChild?.remove();
  renderPosition();
}

/** Logs the entry one of this device's own calls made: the server sends it to the other devices only. */
function own(result: Entry, operation: string, detail: string) {
  entriesApplied++;
  log({ seq: result.seq ?? null, operation: result.seq == null ? `${operation}: no change` : operation, source: "own", detail });
}

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K, options: { testid?: string; className?: string; text?: string } = {}): HTMLElementTagNameMap[K] {
  const created = document.createElement(tag);
  if (options.testid) created.dataset.testid = options.testid;
  if (options.className) created.className = options.className;
  // Always text, never markup: message bodies and ids come from other users.
  if (options.text !== undefined) created.textContent = options.text;
  return created;
}

const time = (ms: number) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

// ---- plumbing ----

function describe(error: unknown): string {
  if (error instanceof RoamingHubError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

let errorTimer: ReturnType<typeof setTimeout> | undefined;
/** Runs a user's action; a failure (a coded error from the hub, say) shows in the banner and leaves the page usable. */
async function act(action: () => Promise<void>) {
  try {
    await action();
  } catch (error) {
    showError(describe(error));
  }
}

function showError(text: string) {
  ui.error.textContent = text;
  ui.error.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { ui.error.hidden = true; }, 10_000);
}

// ---- wiring ----

ui.signInForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData(ui.signInForm);
  const protocol = form.get("protocol") === "json" ? "json" : "messagepack";
  const submit = byTestId<HTMLButtonElement>("signin-submit");
  submit.disabled = true;
  void act(() => signIn(String(form.get("user")).trim(), String(form.get("device")).trim(), protocol))
    .finally(() => { submit.disabled = false; });
});

ui.newConversation.addEventListener("submit", (e) => {
  e.preventDefault();
  const form = new FormData(ui.newConversation);
  const peer = String(form.get("peer")).trim().toLowerCase();
  const chatType = form.get("chatType") === ChatTypes.GroupChat ? ChatTypes.GroupChat : ChatTypes.SingleChat;
  if (!peer) return;
  ui.newConversation.reset();
  void act(() => openConversation(chatType, peer));
});

ui.sendForm.addEventListener("submit", (e) => {
  e.preventDefault();
  const input = ui.sendForm.elements.namedItem("body") as HTMLInputElement;
  const body = input.value;
  if (!body) return;
  input.value = "";
  void act(() => send(body));
});

ui.loadMore.addEventListener("click", () => void act(loadMoreConversations));
ui.loadOlder.addEventListener("click", () => void act(() => open ? loadHistory(open.chatType, open.conversationId, true) : Promise.resolve()));
ui.pinToggle.addEventListener("click", () => void act(togglePin));
ui.markRead.addEventListener("click", () => void act(markRead));
ui.markAllRead.addEventListener("click", () => void act(markAllRead));
ui.deleteSelected.addEventListener("click", () => void act(deleteSelected));
ui.deleteBefore.addEventListener("click", () => void act(clearHistory));
ui.deleteConversation.addEventListener("click", () => void act(deleteConversation));
ui.signOut.addEventListener("click", () => void act(signOut));
ui.error.addEventListener("click", () => { ui.error.hidden = true; });

// ?user=alice&device=laptop&protocol=json fills the form; with &connect=1 it signs in at once (handy for two tabs).
{
  const query = new URLSearchParams(location.search);
  const fields = ui.signInForm.elements;
  (fields.namedItem("user") as HTMLInputElement).value = query.get("user") ?? "";
  (fields.namedItem("device") as HTMLInputElement).value = query.get("device") ?? `web-${Math.random().toString(36).slice(2, 6)}`;
  if (query.get("protocol") === "json") (fields.namedItem("protocol") as HTMLSelectElement).value = "json";
  if (query.get("connect") === "1" && query.get("user")) ui.signInForm.requestSubmit();
}
