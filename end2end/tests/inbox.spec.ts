import { Browser, BrowserContext, expect, Page, test } from "@playwright/test";
import { adminApi, notify, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

function popover(page: Page) {
  return page.getByTestId("inbox-popover");
}

async function openPopover(page: Page) {
  await page.getByTestId("bell").click();
  await expect(popover(page)).toBeVisible();
}

test("the bell opens a popover of the newest notifications, rendered with the page and updated live while open", async ({ page }) => {
  const username = uniqueName("bell");
  await signUp(page, username, PASSWORD);
  await notify(username, "First of two");
  await notify(username, "Second of two");
  await page.reload();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  // In the server's HTML already, hidden until the bell is clicked.
  const html = await (await page.request.get("/")).text();
  expect(html).toContain('data-testid="inbox-popover"');
  expect(html).toContain("Second of two");
  await expect(popover(page)).toBeHidden();

  await openPopover(page);
  const items = popover(page).getByTestId("inbox-item");
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText("Second of two");
  await expect(items.first()).toHaveClass(/unread/);

  await notify(username, "Arrived while open");
  await expect(items).toHaveCount(3);
  await expect(items.first()).toContainText("Arrived while open");
  await expect(page.getByTestId("notification-badge")).toHaveText("3");
  await expect(popover(page).getByTestId("inbox-see-all")).toHaveAttribute("href", "/notifications/");
});

test("marking one read in the popover drops the badge in every tab, and mark all read clears it", async ({ page }) => {
  const username = uniqueName("popread");
  await signUp(page, username, PASSWORD);
  await notify(username, "Read me from the bell");
  await notify(username, "Another one");
  const otherTab = await page.context().newPage();
  await otherTab.goto("/notifications/");
  await expect(otherTab.getByTestId("ws-status")).toHaveText("connected");
  await page.reload();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(otherTab.getByTestId("notification-badge")).toHaveText("2");

  await openPopover(page);
  const item = popover(page).getByTestId("inbox-item").filter({ hasText: "Read me from the bell" });
  await item.getByTestId("mark-read").click();
  await expect(item).not.toHaveClass(/unread/);
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  await expect(otherTab.getByTestId("notification-badge")).toHaveText("1");

  await popover(page).getByTestId("inbox-mark-all-read").click();
  await expect(page.getByTestId("notification-badge")).toBeHidden();
  await expect(otherTab.getByTestId("notification-badge")).toBeHidden();
  await expect(popover(page).locator(".notification-item.unread")).toHaveCount(0);
});

test("archiving from the popover moves a notification to the Archived tab and out of the unread count, and unarchiving brings it back", async ({ page }) => {
  const username = uniqueName("archiver");
  await signUp(page, username, PASSWORD);
  await notify(username, "Keep me");
  await notify(username, "File me away");
  await page.goto("/notifications/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(page.getByTestId("notification-badge")).toHaveText("2");

  await openPopover(page);
  await popover(page).getByTestId("inbox-item").filter({ hasText: "File me away" }).getByTestId("archive").click();
  await expect(popover(page).getByTestId("inbox-item")).toHaveCount(1);
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  // The list on the page follows.
  await expect(page.getByTestId("notification-item").filter({ hasText: "File me away" })).toHaveCount(0);

  await page.keyboard.press("Escape");
  await page.getByTestId("archived-tab").click();
  const archived = page.getByTestId("notification-item");
  await expect(archived).toHaveCount(1);
  await expect(archived).toContainText("File me away");
  await archived.getByTestId("unarchive").click();
  await expect(archived).toHaveCount(0);
  await expect(page.getByTestId("notification-badge")).toHaveText("2");
  await page.goto("/notifications/");
  await expect(page.getByTestId("notification-item")).toHaveCount(2);
});

test("the popover works with the keyboard alone: Enter opens it, focus stays inside, Escape closes it and returns to the bell", async ({ page }) => {
  const username = uniqueName("keys");
  await signUp(page, username, PASSWORD);
  await notify(username, "Reach me by keyboard", { link: "/notifications/" });
  await page.reload();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  const bell = page.getByTestId("bell");
  await bell.focus();
  await expect(bell).toHaveAttribute("aria-expanded", "false");
  await page.keyboard.press("Enter");
  await expect(popover(page)).toBeVisible();
  await expect(bell).toHaveAttribute("aria-expanded", "true");
  await expect(popover(page)).toHaveAttribute("role", "dialog");
  // The focus moved in, and Tab never leaves the dialog, however often it is pressed.
  await expect.poll(() => page.evaluate(() => !!document.activeElement?.closest("#inbox-popover"))).toBe(true);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest("#inbox-popover"))).toBe(true);
  }
  // Mark read by keyboard.
  const item = popover(page).getByTestId("inbox-item").first();
  await item.getByTestId("mark-read").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("notification-badge")).toBeHidden();

  await page.keyboard.press("Escape");
  await expect(popover(page)).toBeHidden();
  await expect(bell).toBeFocused();
  // Space opens it too, as on any button.
  await page.keyboard.press(" ");
  await expect(popover(page)).toBeVisible();
});

test("20 applications to one job in a few seconds show as one grouped entry and one toast counting 20, and marking the group read clears all 20", async ({ page }) => {
  const username = uniqueName("hiring");
  await signUp(page, username, PASSWORD, "employer");
  await page.goto("/notifications/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  const api = await adminApi();
  for (let i = 1; i <= 20; i++) {
    const response = await api.post("/api/notifications/", {
      data: {
        username,
        title: "New application: Senior Rust Engineer",
        message: `applicant${i} applied to Senior Rust Engineer at Acme.`,
        notification_type: "application",
        group_key: "job:77:applications",
      },
    });
    expect(response.status()).toBe(201);
  }
  await api.dispose();

  await expect(page.getByTestId("notification-badge")).toHaveText("20");
  await expect(page.getByTestId("toast")).toHaveCount(1);
  await expect(page.getByTestId("toast-count")).toHaveText("20");
  await expect(page.getByTestId("toast")).toContainText("applicant20 applied");

  const entry = page.getByTestId("notification-item");
  await expect(entry).toHaveCount(1);
  await expect(entry.getByTestId("group-count")).toHaveText("20");
  await expect(entry).toContainText("And 19 more like it.");
  await openPopover(page);
  await expect(popover(page).getByTestId("inbox-item")).toHaveCount(1);
  await expect(popover(page).getByTestId("inbox-item").getByTestId("group-count")).toHaveText("20");
  await page.keyboard.press("Escape");

  await entry.getByTestId("mark-read").click();
  await expect(page.getByTestId("notification-badge")).toBeHidden();
  await page.goto("/notifications/?unread=true");
  await expect(page.getByTestId("empty-notifications")).toBeVisible();
  // Each of the 20 is still stored and listed on its own by the API.
  const list = await page.request.get("/api/notifications/?limit=100");
  const body = await list.json();
  expect(body.results).toHaveLength(20);
  expect(body.results.every((n: { is_read: boolean; group_key: string }) => n.is_read && n.group_key === "job:77:applications")).toBe(true);
});

/** A browser context whose pages report themselves hidden and record desktop notifications. */
async function spyingContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext();
  await context.grantPermissions(["notifications"], { origin: baseURL });
  await context.addInitScript(() => {
    const shown: Array<{ title: string }> = [];
    (window as any).__shown = shown;
    class SpyNotification {
      static permission = "granted";
      static requestPermission() {
        return Promise.resolve("granted");
      }
      onclick: unknown = null;
      constructor(title: string) {
        shown.push({ title });
      }
      close() {}
    }
    (window as any).Notification = SpyNotification;
    Object.defineProperty(document, "visibilityState", { get: () => "hidden" });
  });
  return context;
}

function shownTitles(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as any).__shown.map((n: { title: string }) => n.title));
}

test("muting desktop alerts for messages on one tab stops them on a second tab at once, while the inbox still lists the message", async ({ browser, baseURL }) => {
  // The tabs report themselves hidden and record desktop alerts (a browser shows them from the
  // tab that holds its socket: here the first, `other`).
  const device = await spyingContext(browser, baseURL!);
  const other = await device.newPage();
  const username = uniqueName("muter");
  await signUp(other, username, PASSWORD);
  await other.goto("/notifications/");
  await expect(other.getByTestId("ws-status")).toHaveText("connected");

  // Before: a message reaches that device's desktop.
  await notify(username, "Before muting", { notification_type: "message" });
  await expect.poll(() => shownTitles(other)).toContain("Before muting");

  const settings = await device.newPage();
  await settings.goto("/settings/notifications");
  const desktopForMessages = settings.getByTestId("preferences").getByLabel("Desktop for messages");
  await expect(desktopForMessages).toBeChecked();
  const saved = settings.waitForResponse((r) => r.url().includes("save_preferences"));
  await desktopForMessages.uncheck();
  expect((await saved).status()).toBe(200);

  await notify(username, "After muting", { notification_type: "message" });
  await notify(username, "A system alert still alerts", { notification_type: "system" });
  await expect.poll(() => shownTitles(other)).toContain("A system alert still alerts");
  expect(await shownTitles(other)).not.toContain("After muting");
  // Muted is not dropped: the inbox lists it.
  await expect(other.getByTestId("notification-item").filter({ hasText: "After muting" })).toHaveCount(1);

  // The choice is stored: the other device's settings page shows it off.
  await other.goto("/settings/notifications");
  await expect(other.getByTestId("preferences").getByLabel("Desktop for messages")).not.toBeChecked();
  await device.close();
});

test("turning toasts off for a type stops its toasts on the open tab while the popover still lists it", async ({ page }) => {
  const username = uniqueName("quiet");
  await signUp(page, username, PASSWORD);
  const settings = await page.context().newPage();
  await settings.goto("/settings/notifications");
  await expect(settings.getByTestId("ws-status")).toHaveText("connected");
  const saved = settings.waitForResponse((r) => r.url().includes("save_preferences"));
  await settings.getByTestId("preferences").getByLabel("Toast for system alerts").uncheck();
  expect((await saved).status()).toBe(200);

  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await notify(username, "No toast for me");
  await notify(username, "But a toast for this", { notification_type: "message" });
  await expect(page.getByTestId("toast").filter({ hasText: "But a toast for this" })).toBeVisible();
  await expect(page.getByTestId("toast").filter({ hasText: "No toast for me" })).toHaveCount(0);
  await openPopover(page);
  await expect(popover(page).getByTestId("inbox-item").filter({ hasText: "No toast for me" })).toHaveCount(1);
});

test("with sound on for system alerts, a new one plays the bundled sound, but only once the page has been clicked", async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const played: string[] = [];
    (window as any).__played = played;
    HTMLMediaElement.prototype.play = function () {
      played.push(new URL(this.src).pathname);
      return Promise.resolve();
    };
  });
  const page = await context.newPage();
  const username = uniqueName("sound");
  await signUp(page, username, PASSWORD);
  await page.goto("/settings/notifications");
  const saved = page.waitForResponse((r) => r.url().includes("save_preferences"));
  await page.getByTestId("preferences").getByLabel("Sound for system alerts").check();
  expect((await saved).status()).toBe(200);

  // A page loaded anew has had no click yet.
  await page.goto("/notifications/");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await notify(username, "Before any click");
  await expect(page.getByTestId("toast").filter({ hasText: "Before any click" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__played)).toEqual([]);

  await page.locator("h1").click();
  await notify(username, "After a click");
  await expect(page.getByTestId("toast").filter({ hasText: "After a click" })).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as any).__played)).toEqual(["/sounds/notification.wav"]);
  // The file is served.
  const sound = await page.request.get("/sounds/notification.wav");
  expect(sound.status()).toBe(200);
  expect(sound.headers()["content-type"]).toContain("audio/");
  await context.close();
});

test("without JavaScript the settings page shows what is saved, and saving changes only the switch flipped", async ({ browser, page }) => {
  const username = uniqueName("nojs");
  await signUp(page, username, PASSWORD);
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await noScript.newPage();
  await plain.goto("/settings/notifications");
  const form = plain.getByTestId("preferences");
  await expect(form.getByLabel("Toast for messages")).toBeChecked();
  await expect(form.getByLabel("Desktop for messages")).toBeChecked();
  await expect(form.getByLabel("Sound for messages")).not.toBeChecked();

  await form.getByLabel("Sound for messages").check();
  await form.getByTestId("save-preferences").click();
  await expect(plain).toHaveURL(/\/settings\/notifications/);
  await plain.goto("/settings/notifications");
  await expect(form.getByLabel("Sound for messages")).toBeChecked();
  await expect(form.getByLabel("Toast for messages")).toBeChecked();
  await expect(form.getByLabel("Desktop for system alerts")).toBeChecked();
  await noScript.close();
});
