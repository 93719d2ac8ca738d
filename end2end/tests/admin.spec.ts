import { Browser, expect, test } from "@playwright/test";
import { DEMO_PASSWORD, signIn, signUp, uniqueName } from "./helpers";

async function adminPage(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "admin", DEMO_PASSWORD);
  await page.goto("/admin-panel/notifications/");
  return { context, page };
}

test("an admin announces from the panel, a user on another page sees it live, and the admin deactivates it", async ({ page, browser }) => {
  const username = uniqueName("watcher");
  await signUp(page, username, "a long enough password");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  const admin = await adminPage(browser);
  // The watcher's page and the admin's own: the count refreshes every 5 s.
  await expect(admin.page.getByTestId("open-sockets")).toHaveText(/^2 live connection\(s\)/);
  const title = `Panel news ${username}`;
  const form = admin.page.getByTestId("announce-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Level").selectOption("critical");
  await form.getByRole("button", { name: "Announce" }).click();

  const banner = page.getByTestId("global-banner").filter({ hasText: title });
  await expect(banner).toBeVisible({ timeout: 2000 });
  await expect(banner).toHaveClass(/level-critical/);
  await expect(page.getByTestId("toast").filter({ hasText: title })).toHaveCount(0);

  const row = admin.page.getByTestId("global-row").filter({ hasText: title });
  await expect(row).toBeVisible();
  await row.getByTestId("deactivate").click();
  await expect(banner).toHaveCount(0);
  await expect(row).toContainText("inactive");
  await admin.context.close();
});

test("an admin sends a system alert to one user from the panel", async ({ page, browser }) => {
  const username = uniqueName("alertee");
  await signUp(page, username, "a long enough password");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  const admin = await adminPage(browser);
  const form = admin.page.getByTestId("alert-form");
  await form.getByLabel("Username").fill(username);
  await form.getByLabel("Title").fill("Please update your profile");
  await form.getByRole("button", { name: "Send alert" }).click();
  await expect(admin.page.getByTestId("alert-sent")).toHaveText("Sent to 1 user(s).");

  await expect(page.getByTestId("toast").filter({ hasText: "Please update your profile" })).toBeVisible();
  await expect(page.getByTestId("notification-badge")).toHaveText("1");

  await form.getByLabel("Username").fill("nobody-at-all");
  await form.getByRole("button", { name: "Send alert" }).click();
  await expect(admin.page.getByTestId("form-error")).toContainText("username");
  await admin.context.close();
});

test("the admin panel is closed to everyone but admins: a jobseeker is sent home", async ({ page }) => {
  await signUp(page, uniqueName("curious"), "a long enough password");
  await page.goto("/admin-panel/notifications/");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("announce-form")).toHaveCount(0);
});

test("the announce form confirms and empties itself, a future start reads 'scheduled', and an announcement can be turned off and on", async ({ browser }) => {
  const admin = await adminPage(browser);
  const form = admin.page.getByTestId("announce-form");
  const title = `Later ${uniqueName("sched")}`;
  await form.getByLabel("Title").fill(title);
  // An hour from now, in the browser's local time, as the picker takes it.
  const later = await admin.page.evaluate(() => {
    const d = new Date(Date.now() + 3600_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await form.getByLabel(/Starts/).fill(later);
  await form.getByRole("button", { name: "Announce" }).click();
  await expect(admin.page.getByTestId("announced")).toBeVisible();
  await expect(form.getByLabel("Title")).toHaveValue("");

  const row = admin.page.getByTestId("global-row").filter({ hasText: title });
  await expect(row.getByTestId("global-state")).toHaveText("scheduled");
  await row.getByTestId("deactivate").click();
  await expect(row.getByTestId("global-state")).toHaveText("inactive");
  await row.getByTestId("reactivate").click();
  await expect(row.getByTestId("global-state")).toHaveText("scheduled");
  await row.getByTestId("deactivate").click();
  await expect(row.getByTestId("global-state")).toHaveText("inactive");

  const alert = admin.page.getByTestId("alert-form");
  await expect(alert.getByTestId("alert-username")).toBeVisible();
  await alert.getByLabel("To").selectOption("employers");
  await expect(alert.getByTestId("alert-username")).toBeHidden();
  await admin.context.close();
});
