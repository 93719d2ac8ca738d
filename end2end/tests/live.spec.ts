import { expect, test } from "@playwright/test";
import { adminApi, notify, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

test("a system alert raises a toast and the badge by one, and mark-all-read clears the badge in every tab", async ({ page }) => {
  const username = uniqueName("alerted");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const otherTab = await page.context().newPage();
  await otherTab.goto("/notifications/");
  await expect(otherTab.getByTestId("ws-status")).toHaveText("connected");

  await notify(username, "Your account was reviewed", { message: "All good" });
  await expect(page.getByTestId("toast")).toContainText("Your account was reviewed");
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  await expect(otherTab.getByTestId("notification-badge")).toHaveText("1");
  // The open notifications page shows it at the top without a reload.
  await expect(otherTab.getByTestId("notification-item").first()).toContainText("Your account was reviewed");

  await otherTab.getByTestId("mark-all-read").click();
  await expect(otherTab.getByTestId("notification-badge")).toBeHidden();
  await expect(page.getByTestId("notification-badge")).toBeHidden();
});

test("an admin's global notification shows as a banner (and no toast) on another user's page within a second, and goes when deactivated", async ({ page }) => {
  const username = uniqueName("reader");
  await signUp(page, username, PASSWORD);
  await page.goto("/notifications/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  const admin = await adminApi();
  const started = Date.now();
  const created = await admin.post("/api/global-notifications/", {
    data: { title: `Maintenance ${username}`, level: "warning" },
  });
  expect(created.status()).toBe(201);
  const global = await created.json();
  const banner = page.getByTestId("global-banner").filter({ hasText: `Maintenance ${username}` });
  await expect(banner).toBeVisible({ timeout: 1000 });
  await expect(page.getByTestId("toast").filter({ hasText: `Maintenance ${username}` })).toHaveCount(0);
  expect(Date.now() - started).toBeLessThan(2000);
  await expect(banner).toHaveClass(/level-warning/);

  const patched = await admin.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  expect(patched.status()).toBe(200);
  await expect(banner).toHaveCount(0);
  await admin.dispose();
});

test("a dismissed banner stays gone after a reload", async ({ page }) => {
  const username = uniqueName("dismisser");
  await signUp(page, username, PASSWORD);
  const admin = await adminApi();
  const title = `Dismiss me ${username}`;
  const created = await admin.post("/api/global-notifications/", { data: { title } });
  const global = await created.json();
  await page.reload();
  const banner = page.getByTestId("global-banner").filter({ hasText: title });
  await expect(banner).toBeVisible();
  await banner.getByTestId("banner-dismiss").click();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(page.getByTestId("global-banner").filter({ hasText: title })).toHaveCount(0);
  await admin.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  await admin.dispose();
});

test("a notification titled with HTML shows as text and runs nothing", async ({ page }) => {
  const username = uniqueName("xss");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  let dialogs = 0;
  page.on("dialog", async (dialog) => {
    dialogs += 1;
    await dialog.dismiss();
  });
  const title = "<img src=x onerror=alert(1)>";
  await notify(username, title, { message: "<script>alert(2)</script>" });
  await expect(page.getByTestId("toast").first()).toContainText(title);
  await page.goto("/notifications/");
  await expect(page.getByTestId("notification-item").first()).toContainText(title);
  await expect(page.locator("img[src=x]")).toHaveCount(0);
  expect(dialogs).toBe(0);
});

test("with permission granted, a hidden page shows a system notification", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await context.addInitScript(() => {
    // Spy on the constructor, and make the page report itself hidden.
    const shown: Array<{ title: string; tag?: string; body?: string }> = [];
    (window as any).__shown = shown;
    class SpyNotification {
      static permission = "granted";
      static requestPermission() {
        return Promise.resolve("granted");
      }
      onclick: unknown = null;
      constructor(title: string, options?: { tag?: string; body?: string }) {
        shown.push({ title, tag: options?.tag, body: options?.body });
      }
      close() {}
    }
    (window as any).Notification = SpyNotification;
    Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  });
  const page = await context.newPage();
  const username = uniqueName("desktop");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(page.getByTestId("enable-desktop-notifications")).toHaveText("Desktop alerts on");
  const sent = await notify(username, "Seen from the desktop", { message: "even with the tab hidden" });
  await expect
    .poll(() => page.evaluate(() => (window as any).__shown))
    .toEqual([{ title: "Seen from the desktop", tag: `herald-${sent.id}`, body: "even with the tab hidden" }]);

  // Turned off on this device, they stop, and stay off after a reload.
  await page.getByTestId("enable-desktop-notifications").click();
  await expect(page.getByTestId("enable-desktop-notifications")).toHaveText("Desktop alerts off");
  await page.reload();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(page.getByTestId("enable-desktop-notifications")).toHaveText("Desktop alerts off");
  await notify(username, "Not on the desktop");
  await expect(page.getByTestId("toast").filter({ hasText: "Not on the desktop" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__shown.length)).toBe(0);
  await context.close();
});

test("the desktop button asks the browser for permission from a click", async ({ browser, baseURL }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    (window as any).__asked = 0;
    let permission = "default";
    class SpyNotification {
      static get permission() {
        return permission;
      }
      static requestPermission() {
        (window as any).__asked += 1;
        permission = "granted";
        return Promise.resolve("granted");
      }
      constructor() {}
      close() {}
    }
    (window as any).Notification = SpyNotification;
  });
  const page = await context.newPage();
  await signUp(page, uniqueName("asker"), PASSWORD);
  const button = page.getByTestId("enable-desktop-notifications");
  await expect(button).toHaveText("Enable desktop alerts");
  expect(await page.evaluate(() => (window as any).__asked)).toBe(0);
  await button.click();
  await expect(button).toHaveText("Desktop alerts on");
  expect(await page.evaluate(() => (window as any).__asked)).toBe(1);
  await context.close();
});

test("clicking a toast opens its link and marks the notification read", async ({ page }) => {
  const username = uniqueName("clicker");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await notify(username, "Open me", { link: "/notifications/?unread=true" });
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  await page.getByTestId("toast").filter({ hasText: "Open me" }).click();
  await expect(page).toHaveURL(/\/notifications\/\?unread=true$/);
  await expect(page.getByTestId("notification-badge")).toBeHidden();
  await page.reload();
  await expect(page.getByTestId("empty-notifications")).toBeVisible();
});

test("a banner deactivated while the page was disconnected is gone once it reconnects", async ({ page }) => {
  const username = uniqueName("away");
  await signUp(page, username, PASSWORD);
  await page.goto("/realtime-test/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const admin = await adminApi();
  const title = `While away ${username}`;
  const global = await (await admin.post("/api/global-notifications/", { data: { title } })).json();
  const banner = page.getByTestId("global-banner").filter({ hasText: title });
  await expect(banner).toBeVisible();

  // A second tab, still connected, shows when the removal has gone out to live pages.
  const witness = await page.context().newPage();
  await witness.goto("/");
  await expect(witness.getByTestId("ws-status")).toHaveText("connected");
  const witnessed = witness.getByTestId("global-banner").filter({ hasText: title });
  await expect(witnessed).toBeVisible();

  await page.getByTestId("disconnect").click();
  await expect(page.getByTestId("ws-status")).toHaveText("disconnected");
  await admin.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  await expect(witnessed).toHaveCount(0);
  await expect(banner).toBeVisible();
  await witness.close();

  await page.getByTestId("connect").click();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(banner).toHaveCount(0);
  await admin.dispose();
});
