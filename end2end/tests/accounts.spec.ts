import { expect, test } from "@playwright/test";
import { notify, signIn, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

test("a new user signs up, signs out, signs in and sees the unread count the server rendered", async ({ page, browser }) => {
  const username = uniqueName("seeker");
  await signUp(page, username, PASSWORD);
  await expect(page.getByTestId("notification-badge")).toBeHidden();

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("whoami")).toHaveCount(0);

  await notify(username, "Your profile was viewed", { notification_type: "profile_view" });
  await notify(username, "Welcome aboard");

  await signIn(page, username, PASSWORD);
  await expect(page.getByTestId("notification-badge")).toHaveText("2");

  // The count is in the HTML itself, before any script runs.
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const staticPage = await noScript.newPage();
  await staticPage.goto("/");
  await expect(staticPage.getByTestId("notification-badge")).toHaveText("2");
  await noScript.close();

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByTestId("notification-badge")).toHaveCount(0);
});

test("a wrong password shows a readable error and keeps the visitor signed out", async ({ page }) => {
  const username = uniqueName("forgetful");
  await signUp(page, username, PASSWORD);
  await page.getByTestId("sign-out").click();
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("wrong username or password");
  await expect(page.getByTestId("whoami")).toHaveCount(0);
});

test("a taken username is refused on the sign-up form", async ({ page, browser }) => {
  const username = uniqueName("twin");
  await signUp(page, username, PASSWORD);
  const other = await browser.newContext();
  const second = await other.newPage();
  await second.goto("/register");
  await second.getByLabel("Username").fill(username);
  await second.getByLabel("Password").fill(PASSWORD);
  await second.getByRole("button", { name: "Sign up" }).click();
  await expect(second.getByTestId("form-error")).toContainText("already taken");
  await other.close();
});

test("the notifications page lists what arrived and marks it read", async ({ page }) => {
  const username = uniqueName("reader");
  await signUp(page, username, PASSWORD);
  await notify(username, "First news");
  await notify(username, "Second news", { link: "/messages/" });
  await page.goto("/notifications/");
  const items = page.getByTestId("notification-item");
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText("Second news");
  await expect(page.getByTestId("notification-badge")).toHaveText("2");

  await items.first().getByTestId("mark-read").click();
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  await page.getByTestId("mark-all-read").click();
  await expect(page.getByTestId("notification-badge")).toBeHidden();
  await page.goto("/notifications/?unread=true");
  await expect(page.getByTestId("notification-item")).toHaveCount(0);
});

test("without JavaScript, a wrong password still shows a readable error", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("wrong username or password");
  await context.close();
});

test("a person sees every browser they are signed in on and signs the others out, whose pages show them signed out at once", async ({ page, browser }) => {
  const username = uniqueName("twice");
  await signUp(page, username, PASSWORD);
  const phoneContext = await browser.newContext({ userAgent: "Phone browser 1.0 <b>bold</b>" });
  const phone = await phoneContext.newPage();
  await signIn(phone, username, PASSWORD);
  await expect(phone.getByTestId("ws-status")).toHaveText("connected");

  await page.goto(`/profile/${username}`);
  await page.getByTestId("sessions-link").click();
  await expect(page).toHaveURL(/\/sessions\/$/);
  const sessions = page.getByTestId("session");
  await expect(sessions).toHaveCount(2);
  await expect(sessions.filter({ has: page.getByText("This browser") })).toHaveCount(1);
  // The other browser's description is shown as text, markup and all.
  await expect(page.getByText("Phone browser 1.0 <b>bold</b>")).toBeVisible();

  await page.getByTestId("end-other-sessions").click();
  await expect(sessions).toHaveCount(1);
  await expect(sessions.first()).toHaveAttribute("data-current", "true");
  await expect(page.getByTestId("end-other-sessions")).toHaveCount(0);

  // The phone's page hears of it at once and shows it signed out, and it stays signed out.
  await expect(phone.getByTestId("whoami")).toHaveCount(0);
  await phone.reload();
  await expect(phone.getByTestId("whoami")).toHaveCount(0);
  // This browser is still signed in.
  await page.reload();
  await expect(page.getByTestId("whoami")).toContainText(username);
  await phoneContext.close();
});

test("signing out in one tab closes the browser's live connection and sends the other tab to the sign-in page", async ({ page }) => {
  const username = uniqueName("tabs");
  // The browser's one socket is the first tab's; the other tab follows it (one-socket.spec.ts).
  const opened = page.waitForEvent("websocket", (ws) => ws.url().includes("/ws/notifications/"));
  await signUp(page, username, PASSWORD);
  const socket = await opened;
  const otherTab = await page.context().newPage();
  await otherTab.goto("/notifications/");
  await expect(otherTab.getByTestId("ws-status")).toHaveText("connected");

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login$/);

  // Nobody touches the other tab: the socket closes, the tab hears the session is over, and
  // goes to sign in.
  await expect.poll(() => socket.isClosed()).toBe(true);
  await expect(otherTab).toHaveURL(/\/login$/);
  await expect(otherTab.getByTestId("whoami")).toHaveCount(0);
});
