// Two devices of one user, each a Chromium page of the playground on its own node, and the user's peer in a third:
// the laptop (node A, MessagePack) pins a conversation and sends in it, then writes in a newer unpinned one; the phone
// (node B, JSON) must show the pinned one first all the same. The phone unpins it and the laptop shows that; the laptop
// pins it again and the phone shows that. The peer writes, both devices count it unread; the phone reads it and both
// counts go back to 0.
//
// node two-devices.mjs <node A url> <node B url>
//   CHROMIUM_PATH     the browser (default: /usr/bin/chromium, Debian's package)
//   PLAYGROUND_USER   the user both devices sign in as, PLAYGROUND_PEER the other user (default: fresh ids)
//   SCREENSHOT_PATH   when set, a PNG of the laptop's page at the end, for the README
//
// Every observation is a JSON line on stdout ({"step": …}); the .NET test (Playground/PlaygroundBrowserTests) reads
// and checks them. The script fails (exit code 1, a "failed" line with each page's console) when a page does not get
// there within the patience below, which bounds a broken page, not the speed of a healthy one.
import { chromium } from "playwright-core";

const [nodeA, nodeB] = process.argv.slice(2);
if (!nodeA || !nodeB) {
  console.error("usage: node two-devices.mjs <node A url> <node B url>");
  process.exit(2);
}

const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const suffix = Math.random().toString(36).slice(2, 8);
const user = (process.env.PLAYGROUND_USER || `alice-${suffix}`).toLowerCase();
const peer = (process.env.PLAYGROUND_PEER || `bob-${suffix}`).toLowerCase();
const screenshotPath = process.env.SCREENSHOT_PATH || "";
const patience = 30_000;

const report = (step, fields = {}) => console.log(JSON.stringify({ step, ...fields }));
const consoles = new Map();

let browser;

async function openDevice(name, node, userId, deviceId, protocol) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const lines = [];
  consoles.set(name, lines);
  page.on("console", (message) => lines.push(`${message.type()}: ${message.text()}`));
  page.on("pageerror", (error) => lines.push(`pageerror: ${error.message}`));
  page.setDefaultTimeout(patience);

  await page.goto(new URL("/playground/", node).toString());
  await page.getByTestId("signin-user").fill(userId);
  await page.getByTestId("signin-device").fill(deviceId);
  await page.getByTestId("signin-protocol").selectOption(protocol);
  await page.getByTestId("signin-submit").click();
  await page.locator('[data-testid="connection-state"][data-state="connected"]').waitFor();
  await page.getByTestId("app").waitFor();
  report("signed-in", { device: name, node, user: userId, deviceId, protocol });
  return page;
}

const item = (page, conversationId) => page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`);

async function startConversation(page, conversationId) {
  await page.getByTestId("new-peer").fill(conversationId);
  await page.getByTestId("new-open").click();
  await page.locator('[data-testid="conversation-title"]', { hasText: conversationId }).waitFor();
}

async function send(page, body) {
  await page.getByTestId("send-input").fill(body);
  await page.getByTestId("send-button").click();
  await page.locator('[data-testid="history-message"]', { hasText: body }).waitFor();
}

/** The stream entries the page logged, newest first, as {seq, operation, source}. */
const logged = (page) => page.getByTestId("log-entry").evaluateAll((entries) =>
  entries.map((e) => ({ seq: e.dataset.seq ? Number(e.dataset.seq) : null, operation: e.dataset.operation, source: e.dataset.source })));

let status = 0;
try {
  // Headless, no sandbox (CI runs as root), and none of Chromium's own calls home: the machine's network is closed.
  // Inside the try: a browser that does not start is reported like any other failure.
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const laptop = await openDevice("laptop", nodeA, user, "laptop", "messagepack");
  const phone = await openDevice("phone", nodeB, user, "phone", "json");

  // The laptop pins a conversation it does not have yet, then sends in it.
  const hello = `hello from ${user}'s laptop`;
  await startConversation(laptop, peer);
  await laptop.getByTestId("pin-toggle").click();
  await laptop.locator('[data-testid="pin-toggle"][data-pinned="true"]').waitFor();
  await send(laptop, hello);
  // Then a newer conversation, not pinned: the pinned one must still come first in the list.
  const other = `dave-${suffix}`;
  const later = "a newer message, in a conversation not pinned";
  await startConversation(laptop, other);
  await send(laptop, later);
  report("laptop-pinned-and-sent", { conversationId: peer, body: hello, log: await logged(laptop) });

  // The phone, on the other node, shows the pin and both messages from the pushed entries. (Both conversations are new
  // to it, so those entries also make it refetch its lists: an entry alone does not carry a conversation's counts.)
  const onPhone = item(phone, peer);
  await phone.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-pinned="true"]`).waitFor();
  await onPhone.getByTestId("conversation-last-message").filter({ hasText: hello }).waitFor();
  await item(phone, other).getByTestId("conversation-last-message").filter({ hasText: later }).waitFor();
  report("phone-shows-pin-and-message", {
    conversationId: peer,
    pinned: await onPhone.getAttribute("data-pinned"),
    lastMessage: await onPhone.getByTestId("conversation-last-message").textContent(),
    firstInList: await phone.getByTestId("conversation-item").first().getAttribute("data-conversation-id"),
    otherPinned: await item(phone, other).getAttribute("data-pinned"),
    log: await logged(phone),
  });

  // The phone unpins it; the laptop shows it unpinned. Then the laptop pins it again; the phone shows it pinned.
  await onPhone.click();
  await phone.locator('[data-testid="pin-toggle"][data-pinned="true"]').waitFor();
  await phone.getByTestId("pin-toggle").click();
  await phone.locator('[data-testid="pin-toggle"][data-pinned="false"]').waitFor();
  await laptop.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-pinned="false"]`).waitFor();
  await item(laptop, peer).click();
  await laptop.locator('[data-testid="pin-toggle"][data-pinned="false"]').waitFor();
  await laptop.getByTestId("pin-toggle").click();
  await laptop.locator('[data-testid="pin-toggle"][data-pinned="true"]').waitFor();
  await phone.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-pinned="true"]`).waitFor();
  await phone.locator('[data-testid="pin-toggle"][data-pinned="true"]').waitFor();
  report("unpinned-on-phone-pinned-on-laptop", {
    laptopPinned: await item(laptop, peer).getAttribute("data-pinned"),
    phonePinned: await item(phone, peer).getAttribute("data-pinned"),
    phoneFirstInList: await phone.getByTestId("conversation-item").first().getAttribute("data-conversation-id"),
    laptopLog: await logged(laptop),
    phoneLog: await logged(phone),
  });

  // The peer writes back; both devices count it.
  const peerPage = await openDevice("peer", nodeB, peer, "desk", "messagepack");
  const reply = `hi from ${peer}`;
  await startConversation(peerPage, user);
  await send(peerPage, reply);
  await laptop.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-unread="1"]`).waitFor();
  await phone.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-unread="1"]`).waitFor();
  await laptop.locator('[data-testid="unread-total"][data-total="1"]').waitFor();
  await phone.locator('[data-testid="unread-total"][data-total="1"]').waitFor();
  report("both-devices-count-the-reply", {
    laptopUnread: await item(laptop, peer).getAttribute("data-unread"),
    phoneUnread: await item(phone, peer).getAttribute("data-unread"),
    laptopTotal: await laptop.getByTestId("unread-total").getAttribute("data-total"),
    phoneTotal: await phone.getByTestId("unread-total").getAttribute("data-total"),
  });

  // The phone reads it; the laptop's count goes back to 0, and so do both badges.
  await onPhone.click();
  await phone.locator('[data-testid="history-message"]', { hasText: reply }).waitFor();
  await phone.getByTestId("mark-read").click();
  await phone.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-unread="0"]`).waitFor();
  await laptop.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-unread="0"]`).waitFor();
  await laptop.locator('[data-testid="unread-total"][data-total="0"]').waitFor();
  await phone.locator('[data-testid="unread-total"][data-total="0"]').waitFor();
  // The position shown is the newest entry applied.
  await laptop.waitForFunction(() => {
    const seqs = [...document.querySelectorAll('[data-testid="log-entry"]')].map((e) => Number(e.dataset.seq || 0));
    return document.querySelector('[data-testid="position"]').dataset.seq === String(Math.max(...seqs));
  });
  report("read-on-phone-cleared-laptop", {
    laptopUnread: await item(laptop, peer).getAttribute("data-unread"),
    laptopTotal: await laptop.getByTestId("unread-total").getAttribute("data-total"),
    phoneTotal: await phone.getByTestId("unread-total").getAttribute("data-total"),
    laptopLog: await logged(laptop),
    laptopPosition: await laptop.getByTestId("position").getAttribute("data-seq"),
  });

  if (screenshotPath) {
    // A page worth a picture: a second conversation started on the phone, the laptop with the pinned one open, the
    // peer's read mark on the laptop's message, and a new message from the peer still unread.
    await startConversation(phone, `carol-${suffix}`);
    await send(phone, "Lunch at noon?");
    await item(laptop, `carol-${suffix}`).waitFor();
    await item(laptop, peer).click();
    await laptop.locator('[data-testid="history-message"]', { hasText: reply }).waitFor();
    await peerPage.getByTestId("mark-read").click();
    await laptop.locator('[data-testid="history-message"] .meta', { hasText: "read" }).first().waitFor();
    await send(peerPage, "The build is green, shipping at five.");
    await laptop.locator(`[data-testid="conversation-item"][data-conversation-id="${peer}"][data-unread="1"]`).waitFor();
    await laptop.locator('[data-testid="unread-total"][data-total="1"]').waitFor();
    await laptop.screenshot({ path: screenshotPath });
    report("screenshot", { path: screenshotPath });
  }

  // Signing out leaves nothing of the session on the page (and nothing scheduled that would put it back).
  await phone.getByTestId("sign-out").click();
  await phone.getByTestId("sign-in").waitFor();
  await phone.waitForTimeout(500); // longer than the page's reload and summary timers, which sign-out must have cleared
  report("phone-signed-out", {
    appHidden: await phone.getByTestId("app").isHidden(),
    conversations: await phone.getByTestId("conversation-item").count(),
    logEntries: await phone.getByTestId("log-entry").count(),
    total: await phone.getByTestId("unread-total").getAttribute("data-total"),
    position: await phone.getByTestId("position").getAttribute("data-seq"),
    state: await phone.getByTestId("connection-state").getAttribute("data-state"),
  });

  const errors = [...consoles].flatMap(([name, lines]) => lines.filter((l) => l.startsWith("pageerror") || l.startsWith("error")).map((l) => `${name} ${l}`));
  report("done", { pageErrors: errors });
} catch (error) {
  status = 1;
  report("failed", { error: String(error?.stack ?? error), consoles: Object.fromEntries(consoles) });
} finally {
  await browser?.close();
}
process.exit(status);
