import { expect, request, test } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { adminApi, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

/** Runs `body` while a global announcement is live, and takes it down afterwards. */
async function withLiveAnnouncement(body: (title: string) => Promise<void>) {
  const admin = await adminApi();
  const title = `Announcement ${uniqueName("live")}`;
  const created = await admin.post("/api/global-notifications/", { data: { title, level: "warning" } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  try {
    await body(title);
  } finally {
    await admin.patch(`/api/global-notifications/${id}/`, { data: { is_active: false } });
    await admin.dispose();
  }
}

test("signing in through the form while an announcement is live lands on a live page with its banner", async ({ page }) => {
  await withLiveAnnouncement(async (title) => {
    const username = uniqueName("returning");
    const api = await request.newContext({ baseURL });
    const registered = await api.post("/api/auth/register/", { data: { username, password: PASSWORD, role: "jobseeker" } });
    expect(registered.status()).toBe(201);
    await api.dispose();

    await page.goto("/login");
    await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(page.getByTestId("whoami")).toContainText(username);
    await expect(page.getByTestId("global-banner").filter({ hasText: title })).toBeVisible();
    await expect(page.getByTestId("ws-status")).toHaveText("connected");
    await expect(page.getByTestId("job-card").first()).toBeVisible();
  });
});

test("signing up through the form while an announcement is live lands on a live page with its banner", async ({ page }) => {
  await withLiveAnnouncement(async (title) => {
    const username = uniqueName("newcomer");
    await page.goto("/register");
    await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.locator("input[name=role][value=employer]").check();
    await page.getByRole("button", { name: "Sign up" }).click();

    await expect(page.getByTestId("whoami")).toContainText(username);
    await expect(page.getByTestId("global-banner").filter({ hasText: title })).toBeVisible();
    await expect(page.getByTestId("ws-status")).toHaveText("connected");
  });
});

test("a burst of notifications shows three toasts and '+N more', and each can be dismissed with × or Escape", async ({ page }) => {
  const username = uniqueName("busy");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const admin = await adminApi();
  for (let n = 1; n <= 10; n++) {
    const sent = await admin.post("/api/notifications/", { data: { username, title: `Burst ${n}` } });
    expect(sent.status()).toBe(201);
  }
  await admin.dispose();

  await expect(page.getByTestId("notification-badge")).toHaveText("10");
  const toasts = page.getByTestId("toast");
  await expect(toasts).toHaveCount(3);
  await expect(page.getByTestId("toast-more")).toHaveText("+7 more");
  // The column stays clear of the top bar.
  const column = await page.locator(".toasts").boundingBox();
  expect(column!.height).toBeLessThan(page.viewportSize()!.height / 2);

  await toasts.first().getByTestId("toast-dismiss").click();
  await expect(page.getByTestId("toast-more")).toHaveText("+6 more");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("toast-more")).toHaveText("+5 more");
  await expect(toasts).toHaveCount(3);
});

test("a focused toast stays until it loses focus, and a long message makes no tall toast", async ({ page }) => {
  const username = uniqueName("focused");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const admin = await adminApi();
  await admin.post("/api/notifications/", { data: { username, title: "Long one", message: "word ".repeat(400) } });
  await admin.dispose();

  const toast = page.getByTestId("toast").filter({ hasText: "Long one" });
  await expect(toast).toBeVisible();
  expect((await toast.boundingBox())!.height).toBeLessThan(200);
  await toast.getByTestId("toast-dismiss").focus();
  // Longer than a toast's 5 s: being read (focused), it stays. Real time, not Playwright's
  // clock: its timer ids start at 10^12, past the 32-bit handle web-sys keeps, so a page on the
  // fake clock cannot cancel a timer.
  await page.waitForTimeout(6_500);
  await expect(toast).toBeVisible();
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await expect(toast).toHaveCount(0, { timeout: 8_000 });
});

test("a toast stays while the pointer rests on it, and goes five seconds after it leaves", async ({ page }) => {
  const username = uniqueName("hovered");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const admin = await adminApi();
  await admin.post("/api/notifications/", { data: { username, title: "Hovered one" } });
  await admin.dispose();

  const toast = page.getByTestId("toast").filter({ hasText: "Hovered one" });
  await toast.hover();
  // Time itself is what is tested, so these waits are real (see the focused toast's test).
  await page.waitForTimeout(6_500);
  await expect(toast).toBeVisible();
  await page.mouse.move(0, 0);
  await page.waitForTimeout(3_000);
  await expect(toast).toBeVisible();
  await expect(toast).toHaveCount(0, { timeout: 5_000 });
});

test("opening a notification's link from the inbox marks it read, and a read item loses its coloured dot", async ({ page }) => {
  const username = uniqueName("opener");
  await signUp(page, username, PASSWORD);
  const admin = await adminApi();
  await admin.post("/api/notifications/", { data: { username, title: "See the jobs", link: "/?q=rust" } });
  await admin.post("/api/notifications/", { data: { username, title: "Still unread" } });
  await admin.dispose();

  await page.goto("/notifications/");
  await expect(page.getByTestId("notification-badge")).toHaveText("2");
  // Hydrated first: before hydration, a link with a query string is not marked read (the page
  // marks read by its path alone; noted as a known gap).
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  const item = page.getByTestId("notification-item").filter({ hasText: "See the jobs" });
  await item.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/\?q=rust$/);
  await expect(page.getByTestId("notification-badge")).toHaveText("1");

  await page.goto("/notifications/");
  const read = page.getByTestId("notification-item").filter({ hasText: "See the jobs" });
  const unread = page.getByTestId("notification-item").filter({ hasText: "Still unread" });
  const dot = (row: typeof read) => row.locator(".type-dot").evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(await dot(read)).toBe("rgba(0, 0, 0, 0)");
  expect(await dot(unread)).not.toBe("rgba(0, 0, 0, 0)");
});

test("the tab title carries the unread count", async ({ page }) => {
  const username = uniqueName("titled");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  await expect(page).toHaveTitle("Herald");
  const admin = await adminApi();
  await admin.post("/api/notifications/", { data: { username, title: "Counted" } });
  await admin.dispose();
  await expect(page).toHaveTitle("(1) Herald");
});

test("a jobseeker who opens the employer pages is sent home, and a visitor is asked to sign in first", async ({ page, browser }) => {
  const username = uniqueName("curious");
  await signUp(page, username, PASSWORD);
  await page.goto("/employer/jobs/");
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("post-job-form")).toHaveCount(0);

  const visitor = await browser.newContext();
  const visitorPage = await visitor.newPage();
  await visitorPage.goto("/employer/jobs/");
  await expect(visitorPage).toHaveURL(/\/login\?next=\/employer\/jobs\/$/);
  await visitor.close();
});

test("after signing out, Back does not show the previous person's inbox", async ({ page }) => {
  const username = uniqueName("private");
  await signUp(page, username, PASSWORD);
  const admin = await adminApi();
  await admin.post("/api/notifications/", { data: { username, title: "Private matter" } });
  await admin.dispose();
  await page.goto("/notifications/");
  await expect(page.getByTestId("notification-item").getByText("Private matter")).toBeVisible();
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);
  // Once the sign-in page has settled: a Back pressed while it still loads is aborted by that
  // load (seen under CPU load), and would test nothing.
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  await page.goBack();
  await expect(page.getByText("Private matter")).toHaveCount(0);
});

test.describe("on a phone (390×844)", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("the top bar is one row with a menu that opens and closes, and the page starts near the top", async ({ page }) => {
    const username = uniqueName("phone");
    await signUp(page, username, PASSWORD);
    await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
    const bar = await page.locator(".topbar").boundingBox();
    expect(bar!.height).toBeLessThan(70);
    await expect(page.getByTestId("ws-status")).toBeVisible();
    await expect(page.getByTestId("whoami")).toBeHidden();

    await page.getByTestId("menu-toggle").click();
    await expect(page.getByTestId("whoami")).toBeVisible();
    await expect(page.getByTestId("menu-toggle")).toHaveAttribute("aria-expanded", "true");
    await page.getByRole("link", { name: "Profile" }).click();
    await expect(page).toHaveURL(new RegExp(`/profile/${username}$`));
    await expect(page.getByTestId("whoami")).toBeHidden();

    // Nothing scrolls sideways once the page has settled (a navigation's animations may pass the
    // edge for a moment).
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
      .toBeLessThanOrEqual(0);
  });

  test("the longest names and unbroken titles fit the phone's width, on every page that shows them", async ({ page }) => {
    const username = uniqueName("longest").padEnd(32, "w");
    await signUp(page, username, PASSWORD, "employer");
    await page.goto("/employer/jobs/");
    const form = page.getByTestId("post-job-form");
    const unbroken = (what: string) => `${what}${uniqueName("")}`.padEnd(120, "W");
    await form.getByLabel("Title").fill(unbroken("Title"));
    await form.getByLabel("Company").fill(unbroken("Company"));
    await form.getByLabel("Location").fill(unbroken("Location"));
    await form.getByLabel("Description").fill(unbroken("Description"));
    await form.getByRole("button", { name: "Post the job" }).click();
    await expect(page.getByTestId("job")).toBeVisible();
    const jobPath = new URL(page.url()).pathname;

    const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    for (const path of [jobPath, `/?q=${encodeURIComponent(unbroken("Title").slice(0, 30))}`, "/employer/jobs/", `/profile/${username}`, "/sessions/"]) {
      await page.goto(path);
      await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
      expect(await sideways(), `${path} scrolls sideways`).toBeLessThanOrEqual(0);
    }
    await page.getByTestId("menu-toggle").click();
    await expect(page.getByTestId("whoami")).toBeVisible();
    expect(await sideways(), "the open menu scrolls sideways").toBeLessThanOrEqual(0);
  });
});

test("a jobseeker sees their applications, 'Applied' on the job list, and a status change arrives live", async ({ browser }) => {
  const employerContext = await browser.newContext();
  const employer = await employerContext.newPage();
  const boss = uniqueName("statusboss");
  await signUp(employer, boss, PASSWORD, "employer");
  await employer.goto("/employer/jobs/");
  const form = employer.getByTestId("post-job-form");
  const title = `Status job ${boss}`;
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Company").fill("Statusco");
  await form.getByLabel("Location").fill("Remote");
  await form.getByLabel("Description").fill("Moves applications along.");
  await form.getByRole("button", { name: "Post the job" }).click();
  await expect(employer.getByTestId("job")).toContainText(title);
  const jobPath = new URL(employer.url()).pathname;

  const seekerContext = await browser.newContext();
  const seeker = await seekerContext.newPage();
  await signUp(seeker, uniqueName("hopeful"), PASSWORD);
  await seeker.goto(jobPath);
  await seeker.getByRole("button", { name: "Apply" }).click();
  await expect(seeker.getByTestId("applied")).toBeVisible();
  await seeker.goto(`/?q=${encodeURIComponent(title)}`);
  await expect(seeker.getByTestId("job-card").filter({ hasText: title }).getByTestId("applied-pill")).toBeVisible();

  await seeker.goto("/applications/");
  const mine = seeker.getByTestId("my-application").filter({ hasText: title });
  await expect(mine.getByTestId("application-status")).toHaveText("new");
  await expect(seeker.getByTestId("ws-status")).toHaveText("connected");

  await employer.goto("/employer/applications/");
  const row = employer.getByTestId("application-row").filter({ hasText: title });
  await expect(employer.getByTestId("job-filter")).toContainText(`${title} (1, 1 new)`);
  await row.getByTestId("status-select").selectOption("reviewed");
  await row.getByTestId("set-status").click();
  await expect(employer.getByTestId("application-row").filter({ hasText: title })).toHaveAttribute("data-status", "reviewed");

  await expect(mine.getByTestId("application-status")).toHaveText("reviewed");
  await expect(seeker.getByTestId("toast").filter({ hasText: "reviewed" })).toBeVisible();
  await employerContext.close();
  await seekerContext.close();
});

test("an employer closes a job from its edit page", async ({ page }) => {
  await signUp(page, uniqueName("closer"), PASSWORD, "employer");
  await page.goto("/employer/jobs/");
  const form = page.getByTestId("post-job-form");
  await form.getByLabel("Title").fill("Short-lived");
  await form.getByLabel("Company").fill("Closeco");
  await form.getByLabel("Location").fill("Remote");
  await form.getByLabel("Description").fill("Closes soon.");
  await form.getByRole("button", { name: "Post the job" }).click();
  await expect(page.getByTestId("job")).toBeVisible();
  const id = new URL(page.url()).pathname.split("/").filter(Boolean).pop();
  await page.goto(`/employer/jobs/${id}/`);
  await expect(page.getByTestId("job-state")).toHaveText("Open to applications");
  await page.getByTestId("toggle-open").click();
  await expect(page.getByTestId("job-state")).toHaveText("Closed: no new applications");
  await expect(page.getByTestId("toggle-open")).toHaveText("Reopen this job");
});

test("Enter sends a message and Shift+Enter starts a new line", async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const alice = await a.newPage();
  const bob = await b.newPage();
  const bobName = uniqueName("bob");
  await signUp(bob, bobName, PASSWORD);
  await signUp(alice, uniqueName("alice"), PASSWORD, "employer");
  await alice.goto(`/messages/${bobName}`);
  await expect(alice.locator("html[data-hydrated]")).toHaveCount(1);
  const box = alice.getByTestId("message-form").getByLabel("Message");
  await box.fill("first line");
  await box.press("Shift+Enter");
  await box.pressSequentially("second line");
  await box.press("Enter");
  await expect(alice.getByTestId("message")).toContainText("first line\nsecond line");
  await expect(box).toHaveValue("");
  await a.close();
  await b.close();
});

test("a saved profile says so", async ({ page }) => {
  const username = uniqueName("saver");
  await signUp(page, username, PASSWORD);
  await page.goto(`/profile/${username}`);
  // Hydrated first: before it, the form posts without JavaScript and nothing says "Saved.".
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  await page.getByTestId("profile-form").getByLabel("Headline").fill("Rust at heart");
  await page.getByTestId("profile-form").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("profile-saved")).toHaveText("Saved.");
});

test("a cover letter written while the job closes is kept on screen", async ({ browser }) => {
  const bossContext = await browser.newContext();
  const boss = await bossContext.newPage();
  await signUp(boss, uniqueName("closingboss"), PASSWORD, "employer");
  await boss.goto("/employer/jobs/");
  const form = boss.getByTestId("post-job-form");
  await form.getByLabel("Title").fill("Closing soon");
  await form.getByLabel("Company").fill("Closeco");
  await form.getByLabel("Location").fill("Remote");
  await form.getByLabel("Description").fill("Gone in a minute.");
  await form.getByRole("button", { name: "Post the job" }).click();
  await expect(boss.getByTestId("job")).toBeVisible();
  const jobPath = new URL(boss.url()).pathname;
  const id = jobPath.split("/").filter(Boolean).pop();

  const seekerContext = await browser.newContext();
  const seeker = await seekerContext.newPage();
  await signUp(seeker, uniqueName("slowwriter"), PASSWORD);
  await seeker.goto(jobPath);
  await expect(seeker.locator("html[data-hydrated]")).toHaveCount(1);
  await seeker.getByTestId("apply-form").getByLabel("Cover letter (optional)").fill("Three careful paragraphs.");

  await boss.goto(`/employer/jobs/${id}/`);
  await boss.getByTestId("toggle-open").click();
  await expect(boss.getByTestId("job-state")).toHaveText("Closed: no new applications");

  await seeker.getByRole("button", { name: "Apply" }).click();
  await expect(seeker.getByTestId("job-closed")).toBeVisible();
  await expect(seeker.getByTestId("unsent-letter")).toHaveValue("Three careful paragraphs.");
  await bossContext.close();
  await seekerContext.close();
});

test("a conversation with an unread message is marked new until it is opened", async ({ browser }) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const writer = await a.newPage();
  const reader = await b.newPage();
  const readerName = uniqueName("inbox");
  const writerName = uniqueName("writer");
  await signUp(reader, readerName, PASSWORD);
  await signUp(writer, writerName, PASSWORD, "employer");
  await writer.goto(`/messages/${readerName}`);
  await writer.getByTestId("message-form").getByLabel("Message").fill("Are you free on Monday?");
  await writer.getByRole("button", { name: "Send" }).click();
  await expect(writer.getByTestId("message")).toHaveCount(1);

  await reader.goto("/messages/");
  const row = reader.getByTestId("conversation").filter({ hasText: writerName });
  await expect(row.getByTestId("unread-marker")).toBeVisible();
  await row.getByRole("link", { name: writerName }).click();
  await expect(reader.getByTestId("message")).toHaveCount(1);
  await reader.goto("/messages/");
  await expect(reader.getByTestId("conversation").filter({ hasText: writerName }).getByTestId("unread-marker")).toHaveCount(0);
  await a.close();
  await b.close();
});

test("banners show the loudest first, and times read as how long ago", async ({ page }) => {
  const admin = await adminApi();
  const quiet = await (await admin.post("/api/global-notifications/", { data: { title: "Quiet news", level: "info" } })).json();
  const loud = await (await admin.post("/api/global-notifications/", { data: { title: "Loud news", level: "critical" } })).json();
  try {
    const username = uniqueName("orderly");
    await signUp(page, username, PASSWORD);
    await admin.post("/api/notifications/", { data: { username, title: "Just arrived" } });
    await page.goto("/notifications/");
    await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
    const banners = page.getByTestId("global-banner");
    await expect(banners.first()).toContainText("Loud news");
    await expect(banners.filter({ hasText: "Quiet news" })).toBeVisible();
    const time = page.getByTestId("notification-item").filter({ hasText: "Just arrived" }).locator("time");
    await expect(time).toHaveText("just now");
    // The exact local time is on hover.
    expect(await time.getAttribute("title")).not.toContain("UTC");
  } finally {
    await admin.patch(`/api/global-notifications/${quiet.id}/`, { data: { is_active: false } });
    await admin.patch(`/api/global-notifications/${loud.id}/`, { data: { is_active: false } });
    await admin.dispose();
  }
});

test.describe("the admin panel on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("nothing scrolls sideways and Deactivate is in view", async ({ page }) => {
    const admin = await adminApi();
    const created = await (await admin.post("/api/global-notifications/", { data: { title: `Phone check ${uniqueName("p")}` } })).json();
    try {
      await page.goto("/login");
      await page.getByLabel("Username").fill("admin");
      await page.getByLabel("Password").fill("herald-demo");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/admin-panel\/notifications\/$/);
      const row = page.getByTestId("global-row").filter({ hasText: created.title });
      const button = row.getByTestId("deactivate");
      await expect(button).toBeVisible();
      const box = await button.boundingBox();
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      await expect
        .poll(() => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth))
        .toBeLessThanOrEqual(0);
    } finally {
      await admin.patch(`/api/global-notifications/${created.id}/`, { data: { is_active: false } });
      await admin.dispose();
    }
  });
});

test("when the browser blocks desktop alerts, the page says how to allow them", async ({ browser }) => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    class Blocked {
      static permission = "denied";
      static requestPermission() {
        return Promise.resolve("denied");
      }
    }
    (window as any).Notification = Blocked;
  });
  const page = await context.newPage();
  await signUp(page, uniqueName("blocked"), PASSWORD);
  await expect(page.getByTestId("enable-desktop-notifications")).toHaveText("Desktop alerts blocked");
  await expect(page.getByTestId("desktop-blocked-help")).toContainText("allow notifications");
  await context.close();
});
