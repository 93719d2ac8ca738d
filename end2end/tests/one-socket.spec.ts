import { BrowserContext, Page, WebSocket, expect, test } from "@playwright/test";
import { notify, signUp, uniqueName } from "./helpers";
import { Herald, freshDatabase, startHerald, stopHerald } from "./own-herald";

// One socket per browser: one tab holds it, the others follow through a BroadcastChannel. Each
// test runs its own Herald, so the socket gauge of `/metrics` counts this browser alone. The tabs
// of one Playwright context share their locks and channels, as the tabs of one browser do.

const PASSWORD = "a long enough password";

/** The server's `herald_websocket_connections` gauge: the sockets open on it now. */
async function socketsOnServer(server: Herald): Promise<number> {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("herald_websocket_connections "));
  return Number(line?.split(" ")[1]);
}

/** Every notifications socket the tabs of `context` open, and which tab opened it. */
function watchSockets(context: BrowserContext) {
  const sockets: Array<{ tab: Page; socket: WebSocket }> = [];
  context.on("page", (tab) =>
    tab.on("websocket", (socket) => {
      if (socket.url().includes("/ws/notifications/")) sockets.push({ tab, socket });
    }),
  );
  return {
    open: () => sockets.filter(({ socket }) => !socket.isClosed()),
    openedBy: (tab: Page) => sockets.filter((s) => s.tab === tab).length,
  };
}

const toast = (tab: Page, title: string) => tab.getByTestId("toast").filter({ hasText: title });

/**
 * Makes every tab of `context` count the toasts it ever shows, by text, so that "shown once"
 * does not depend on catching a toast in its 5 s on screen. A toast of a group that counts up
 * (a second message from the same person while the first one's toast is up) counts again.
 */
async function countToasts(context: BrowserContext) {
  await context.addInitScript(() => {
    const lastText = new WeakMap<Element, string>();
    const shown: string[] = [];
    (window as any).__toastsShown = shown;
    new MutationObserver(() => {
      for (const toast of document.querySelectorAll('[data-testid="toast"]')) {
        const text = toast.textContent ?? "";
        if (lastText.get(toast) !== text) {
          lastText.set(toast, text);
          shown.push(text);
        }
      }
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
}

/** How many toasts with `title` the tab has shown since it opened. */
const timesShown = (tab: Page, title: string) =>
  tab.evaluate((title) => (window as any).__toastsShown.filter((text: string) => text.includes(title)).length, title);

test.describe("one socket per browser", () => {
  let server: Herald;
  test.beforeEach(async () => {
    server = await startHerald(freshDatabase());
  });
  test.afterEach(async () => {
    await stopHerald(server);
  });

  /** A new user signed in, in three tabs of one browser on three pages, each live. */
  async function threeTabs(context: BrowserContext) {
    const username = uniqueName("tabs");
    const first = await context.newPage();
    await signUp(first, username, PASSWORD);
    const tabs = [first];
    for (const path of ["/notifications/", "/realtime-test/"]) {
      const tab = await context.newPage();
      await tab.goto(path);
      tabs.push(tab);
    }
    for (const tab of tabs) await expect(tab.getByTestId("ws-status")).toHaveText("connected");
    return { username, tabs };
  }

  test("three tabs of one browser share one socket, each shows what arrives, and a click in any of them acts for all", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.base });
    await countToasts(context);
    const sockets = watchSockets(context);
    const { username, tabs } = await threeTabs(context);

    await expect.poll(() => socketsOnServer(server)).toBe(1);
    expect(sockets.open()).toHaveLength(1);

    await notify(username, "Seen in every tab", { message: "once each" }, server.base);
    for (const tab of tabs) await expect(tab.getByTestId("notification-badge")).toHaveText("1");
    // A tab without the socket marks it read through the one that has it.
    const follower = tabs.find((tab) => tab !== sockets.open()[0].tab)!;
    await toast(follower, "Seen in every tab").click();
    for (const tab of tabs) {
      await expect(tab.getByTestId("notification-badge")).toBeHidden();
      expect(await timesShown(tab, "Seen in every tab")).toBe(1);
    }
    expect(await socketsOnServer(server)).toBe(1);
    await context.close();
  });

  test("closing the leader tab hands over within a second and a notification sent meanwhile shows once in each remaining tab", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.base });
    await countToasts(context);
    const sockets = watchSockets(context);
    const { username, tabs } = await threeTabs(context);
    await expect.poll(() => socketsOnServer(server)).toBe(1);

    // Something every tab has shown already: it must not show again after the hand-over.
    await notify(username, "Before the hand-over", {}, server.base);
    for (const tab of tabs) await expect.poll(() => timesShown(tab, "Before the hand-over")).toBe(1);

    const leader = sockets.open()[0].tab;
    const remaining = tabs.filter((tab) => tab !== leader);
    // The next socket is held back before it reaches the server, so that the notification is
    // created while no tab holds one: the new leader must resume from the last id it saw.
    let handedOver: (at: number) => void;
    const handOver = new Promise<number>((resolve) => (handedOver = resolve));
    let release: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    for (const tab of remaining) {
      await tab.routeWebSocket(/\/ws\/notifications\//, async (socket) => {
        handedOver(Date.now());
        await released;
        socket.connectToServer();
      });
    }

    const closedAt = Date.now();
    await leader.close();
    expect((await handOver) - closedAt).toBeLessThan(1000);
    await expect.poll(() => socketsOnServer(server)).toBe(0);
    await notify(username, "Sent during the hand-over", {}, server.base);
    release!();

    for (const tab of remaining) {
      await expect.poll(() => timesShown(tab, "Sent during the hand-over")).toBe(1);
      await expect(tab.getByTestId("ws-status")).toHaveText("connected");
      await expect(tab.getByTestId("notification-badge")).toHaveText("2");
    }
    await expect.poll(() => socketsOnServer(server)).toBe(1);
    // Nothing arrives a second time, late.
    await remaining[0].waitForTimeout(1000);
    for (const tab of remaining) {
      expect(await timesShown(tab, "Sent during the hand-over")).toBe(1);
      expect(await timesShown(tab, "Before the hand-over")).toBe(1);
    }
    await context.close();
  });

  test("a conversation open in a tab without the socket keeps its messages quiet, until that tab closes", async ({ browser }) => {
    const employerContext = await browser.newContext({ baseURL: server.base });
    const employer = await employerContext.newPage();
    const employerName = uniqueName("writer");
    await signUp(employer, employerName, PASSWORD, "employer");

    const context = await browser.newContext({ baseURL: server.base });
    await countToasts(context);
    const sockets = watchSockets(context);
    const seekerName = uniqueName("reader");
    const leader = await context.newPage();
    await signUp(leader, seekerName, PASSWORD);
    await leader.goto("/realtime-test/");
    await expect(leader.getByTestId("ws-status")).toHaveText("connected");
    // The last focus the tab holding the socket sent the server.
    const focusSent = () =>
      leader.getByTestId("activity-log").locator("li.log-sent").filter({ hasText: '"action":"focus"' }).last().textContent();

    // A first message, so the conversation exists; it raises a notification as usual.
    await employer.goto(`/messages/${seekerName}`);
    await expect(employer.getByTestId("ws-status")).toHaveText("connected");
    const form = employer.getByTestId("message-form");
    await form.getByLabel("Message").fill("Hello there");
    await form.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => timesShown(leader, "New message")).toBe(1);

    const conversation = await context.newPage();
    await conversation.goto(`/messages/${employerName}`);
    await expect(conversation.getByTestId("ws-status")).toHaveText("connected");
    expect(sockets.openedBy(conversation)).toBe(0);
    // The tab holding the socket tells the server what the other tab shows.
    await expect.poll(focusSent).toMatch(/"conversation_with":\d+/);

    await form.getByLabel("Message").fill("Are you there?");
    await form.getByRole("button", { name: "Send" }).click();
    await expect(conversation.getByTestId("message").filter({ hasText: "Are you there?" })).toBeVisible();
    // A notification sent now arrives behind any the message could have raised.
    await notify(seekerName, "Sent after the message", {}, server.base);
    for (const tab of [leader, conversation]) {
      await expect.poll(() => timesShown(tab, "Sent after the message")).toBe(1);
      expect(await timesShown(tab, "New message")).toBe(tab === leader ? 1 : 0);
    }

    // Once the conversation's tab is gone, its messages notify again.
    await conversation.close();
    await expect.poll(focusSent).toContain('"conversation_with":null');
    await form.getByLabel("Message").fill("Still there?");
    await form.getByRole("button", { name: "Send" }).click();
    await expect.poll(() => timesShown(leader, "New message")).toBe(2);
    await context.close();
    await employerContext.close();
  });

  test("with every tab hidden a notification raises one desktop alert for the browser, and none while a tab is in view", async ({ browser }) => {
    const context = await browser.newContext({ baseURL: server.base });
    await context.grantPermissions(["notifications"], { origin: server.base });
    await context.addInitScript(() => {
      // Spy on the constructor, and let the test say whether the page is in view.
      const shown: string[] = [];
      (window as any).__desktop = shown;
      class SpyNotification {
        static permission = "granted";
        static requestPermission() {
          return Promise.resolve("granted");
        }
        onclick: unknown = null;
        constructor(title: string) {
          shown.push(title);
        }
        close() {}
      }
      (window as any).Notification = SpyNotification;
      (window as any).__visibility = "hidden";
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (window as any).__visibility });
    });
    const { username, tabs } = await threeTabs(context);
    const alerts = async (title: string) => {
      let count = 0;
      for (const tab of tabs) count += await tab.evaluate((title) => (window as any).__desktop.filter((t: string) => t === title).length, title);
      return count;
    };

    await notify(username, "While nobody looks", {}, server.base);
    for (const tab of tabs) await expect(toast(tab, "While nobody looks")).toHaveCount(1);
    await expect.poll(() => alerts("While nobody looks")).toBe(1);

    // The user comes back to one tab (whichever holds the socket): the toasts say it all.
    await tabs[2].evaluate(() => {
      (window as any).__visibility = "visible";
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await tabs[2].waitForTimeout(300);
    await notify(username, "While one tab is in view", {}, server.base);
    for (const tab of tabs) await expect(toast(tab, "While one tab is in view")).toHaveCount(1);
    expect(await alerts("While one tab is in view")).toBe(0);
    expect(await alerts("While nobody looks")).toBe(1);
    await context.close();
  });

  test("when another account signs in on the browser, a tab left open loads again as that account", async ({ browser }) => {
    const elsewhere = await browser.newContext({ baseURL: server.base });
    const other = uniqueName("other");
    await signUp(await elsewhere.newPage(), other, PASSWORD);
    await elsewhere.close();

    const context = await browser.newContext({ baseURL: server.base });
    const sockets = watchSockets(context);
    const { tabs } = await threeTabs(context);
    // The session cookie is the browser's: signing in through the API replaces it in every tab.
    const signedIn = await context.request.post("/api/auth/login/", { data: { username: other, password: PASSWORD } });
    expect(signedIn.status()).toBe(200);
    const leader = sockets.open()[0].tab;
    await leader.close();
    for (const tab of tabs.filter((tab) => tab !== leader)) {
      await expect(tab.getByTestId("whoami")).toContainText(other);
    }
    await context.close();
  });

  for (const missing of ["navigator.locks", "BroadcastChannel"]) {
    test(`in a browser without ${missing} each tab keeps a socket of its own and still shows everything`, async ({ browser }) => {
      const context = await browser.newContext({ baseURL: server.base });
      await countToasts(context);
      await context.addInitScript((missing) => {
        if (missing === "BroadcastChannel") delete (window as any).BroadcastChannel;
        else delete (Navigator.prototype as any).locks;
      }, missing);
      const { username, tabs } = await threeTabs(context);
      await expect.poll(() => socketsOnServer(server)).toBe(3);
      await notify(username, "Seen in every tab", {}, server.base);
      for (const tab of tabs) await expect.poll(() => timesShown(tab, "Seen in every tab")).toBe(1);
      await context.close();
    });
  }
});
