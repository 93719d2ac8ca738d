import { Browser, Page, WebSocketRoute, expect, test } from "@playwright/test";
import { signUp, uniqueName } from "./helpers";

// A page that lost its socket waits longer after each failed try (backoff with jitter). When the
// browser comes back online, or the user comes back to the tab, it must not sit out the rest of
// that wait. Playwright's fake clock cannot drive this WASM (its timer ids overflow web-sys's i32
// handles), so these tests use real time: the page is brought to a long wait, and must connect
// well before that wait could have ended.

const PASSWORD = "a long enough password";
/** The fifth wait in a row: a window of 8 s, times the draw of 0.999 the page is given. */
const LONG_WAIT = "reconnecting in 7992 ms";
/** Much less than that wait: a page that sits it out cannot be connected by then. */
const AT_ONCE = { timeout: 3000 };

/**
 * A signed-in page on /realtime-test/ whose server went away and came back while the page is
 * in its fifth, 8-second, wait to reconnect. `beforeTheDrop` runs while it is still connected.
 */
async function waitingLongToReconnect(browser: Browser, beforeTheDrop = async (_page: Page) => {}) {
  const context = await browser.newContext();
  // Every wait at the top of its window, so the test knows how long the page would wait.
  await context.addInitScript(() => {
    Math.random = () => 0.999;
  });
  const page = await context.newPage();
  // The socket goes through this gate: while `down`, each try is closed at once, as by a server
  // that is restarting.
  const server = { down: false, socket: undefined as WebSocketRoute | undefined };
  await page.routeWebSocket(/\/ws\/notifications\//, (ws) => {
    if (server.down) {
      ws.close({ code: 1012, reason: "server restarting" });
    } else {
      ws.connectToServer();
      server.socket = ws;
    }
  });
  await signUp(page, uniqueName("away"), PASSWORD);
  await page.goto("/realtime-test/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await beforeTheDrop(page);

  server.down = true;
  await server.socket!.close({ code: 1012, reason: "server restarting" });
  await expect(page.getByTestId("activity-log")).toContainText(LONG_WAIT);
  await expect(page.getByTestId("ws-status")).toHaveText("connecting");
  server.down = false;
  return { context, page };
}

test("a page waiting to reconnect connects as soon as the browser is back online, not when its wait ends", async ({ browser }) => {
  const { context, page } = await waitingLongToReconnect(browser);

  // The browser itself fires `offline`, then `online`.
  await context.setOffline(true);
  await context.setOffline(false);
  await expect(page.getByTestId("ws-status")).toHaveText("connected", AT_ONCE);
  await expect(page.getByTestId("activity-log")).toContainText("back online or visible: reconnecting now");
  await context.close();
});

test("a tab in the background waiting to reconnect connects as soon as the user comes back to it, not when its wait ends", async ({ browser }) => {
  // Headless Chromium never hides a page: the page is told it is hidden, or visible, the way a
  // browser tells it, with its `visibilityState` and a `visibilitychange` event.
  const setVisibility = (page: Page, state: "hidden" | "visible") =>
    page.evaluate((state) => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
      document.dispatchEvent(new Event("visibilitychange"));
    }, state);
  const waiting = await waitingLongToReconnect(browser, (page) => setVisibility(page, "hidden"));
  const page = waiting.page;

  await setVisibility(page, "visible");
  await expect(page.getByTestId("ws-status")).toHaveText("connected", AT_ONCE);
  await expect(page.getByTestId("activity-log")).toContainText("back online or visible: reconnecting now");
  await waiting.context.close();
});
