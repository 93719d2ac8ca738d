import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD } from "./helpers";
import { freshDatabase, startHerald, stopHerald } from "./own-herald";

// A Herald of this test's own, whose sessions last seconds rather than the 14 days the suite's
// server gives them, and which checks its sockets' sessions four times a second.
const SESSION_SECONDS = 10;

test("a page left open when its session runs out goes to the sign-in page by itself", async ({ page }) => {
  const server = await startHerald(freshDatabase(), 0, {
    HERALD_SESSION_TTL_SECONDS: String(SESSION_SECONDS),
    HERALD_WS_PING_MS: "250",
  });
  try {
    await page.goto(`${server.base}/login`);
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const signedInAt = Date.now();
    await expect(page.getByTestId("whoami")).toContainText("ada");
    await expect(page.getByTestId("ws-status")).toHaveText("connected");
    await expect(page).not.toHaveURL(/\/login$/);

    // Nobody touches the page: the server closes its socket as the session ends (4001), and
    // the page goes to sign in again.
    await expect(page).toHaveURL(/\/login$/, { timeout: (SESSION_SECONDS + 10) * 1000 });
    expect(Date.now() - signedInAt).toBeGreaterThanOrEqual((SESSION_SECONDS - 1) * 1000);
    await expect(page.getByTestId("whoami")).toHaveCount(0);
  } finally {
    await stopHerald(server);
  }
});

test("a page whose session ran out while the server was away goes to the sign-in page once the server is back", async ({ page }) => {
  test.setTimeout(120_000);
  const database = freshDatabase();
  const settings = { HERALD_SESSION_TTL_SECONDS: String(SESSION_SECONDS), HERALD_WS_PING_MS: "250" };
  let server = await startHerald(database, 0, settings);
  try {
    await page.goto(`${server.base}/login`);
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const signedInAt = Date.now();
    await expect(page.getByTestId("whoami")).toContainText("ada");
    await expect(page.getByTestId("ws-status")).toHaveText("connected");

    // The server goes away before the session ends, and comes back after: no socket was open to
    // be closed with 4001 when it ended, and the page's reconnects are refused.
    const port = new URL(server.base).port;
    await stopHerald(server);
    await expect(page.getByTestId("ws-status")).not.toHaveText("connected");
    await page.waitForTimeout(Math.max(0, signedInAt + (SESSION_SECONDS + 1) * 1000 - Date.now()));
    server = await startHerald(database, Number(port), settings);

    // Its backoff grows while the server is away (up to 30 s, with jitter).
    await expect(page).toHaveURL(/\/login$/, { timeout: 45_000 });
    await expect(page.getByTestId("whoami")).toHaveCount(0);
  } finally {
    await stopHerald(server);
  }
});
