import { seen } from "./engines";
import { DEMO_PASSWORD, READER, badge, connection, expect, notify, onScreen, placement, present, test } from "./fixtures";

// One signed-in page per engine, carried from test to test: a later test needs the earlier ones
// (signed in, connected), so after a failure the rest of that engine's tests are skipped.
test.describe.configure({ mode: "serial" });

// What the page threw or logged as an error fails the test that caused it.
test.afterEach(async ({ engine }, testInfo) => {
  const errors = (await engine.takeErrors()).filter((e) => !testInfo.annotations.some((a) => a.type === "expected-error" && e.includes(a.description ?? "")));
  expect(errors, `errors in ${engine.version}`).toEqual([]);
});

test("a jobseeker signs in through the sign-in form and sees her name in the bar", async ({ engine, engineName }) => {
  const reader = READER[engineName];
  await engine.goto("/login");
  // Typed once the form is live, so the hydrated form (not the plain HTML post) is what is tested.
  await expect.poll(() => present(engine, "html[data-hydrated]"), { message: "the sign-in page hydrates" }).toBe(1);
  await engine.type("[data-testid=login-form] input[name=username]", reader);
  await engine.type("[data-testid=login-form] input[name=password]", DEMO_PASSWORD);
  await engine.click("[data-testid=login-form] button[type=submit]");
  await expect.poll(() => onScreen(engine, "[data-testid=whoami]", reader), { message: "whoami shows the reader" }).toBe(1);
  expect(await engine.run<string>("return location.pathname")).not.toBe("/login");
});

test("her page hydrates and the connection state reads connected", async ({ engine }) => {
  await expect.poll(() => present(engine, "html[data-hydrated]"), { message: "html[data-hydrated]" }).toBe(1);
  await expect.poll(() => connection(engine), { message: "ws-status" }).toBe("connected");
});

test("the bar offers her desktop alerts where the engine has the Notification API, and says there are none where it has not", async ({ engine, notifications }) => {
  // Asking for permission needs a person at a real prompt: that is tested in Chromium, with a
  // stand-in for the API.
  await expect.poll(() => engine.run<boolean>("return typeof Notification === 'function'"), { message: "window.Notification" }).toBe(notifications);
  await expect.poll(async () => (await seen(engine, "[data-testid=enable-desktop-notifications]"))[0]?.text, { message: "the desktop alerts button" })
    .toBe(notifications ? "Enable desktop alerts" : "No desktop alerts here");
});

test("a notification published through the API slides in as a toast at the bottom right and raises the badge by one", async ({ engine, engineName, admin }) => {
  const before = await badge(engine);
  const title = `Your profile was reviewed (${engineName} ${Date.now()})`;
  await notify(admin, READER[engineName], title);
  // Toasts leave after 5 s: this one must arrive well within that.
  await expect.poll(() => onScreen(engine, "[data-testid=toast]", title), { message: "the toast", timeout: 4_000 }).toBe(1);
  // Where the stylesheet puts it (a fixed box in the corner), once it has slid in.
  await expect.poll(() => placement(engine, "[data-testid=toast]", title), { message: "where the toast is", timeout: 4_000 }).toBe("bottom right");
  await expect.poll(() => badge(engine), { message: "the badge" }).toBe(before + 1);
});

test("an announcement shows as a banner across the top of her page, and disappears when the admin deactivates it", async ({ engine, engineName, admin }) => {
  const title = `Maintenance tonight (${engineName} ${Date.now()})`;
  const created = await admin.post("/api/global-notifications/", { data: { title, level: "warning" } });
  expect(created.status(), await created.text()).toBe(201);
  const global = await created.json();
  await expect.poll(() => onScreen(engine, "[data-testid=global-banner]", title), { message: "the banner" }).toBe(1);
  await expect.poll(() => placement(engine, "[data-testid=global-banner]", title), { message: "where the banner is" }).toBe("across the top");

  const patched = await admin.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  expect(patched.status(), await patched.text()).toBe(200);
  await expect.poll(() => present(engine, "[data-testid=global-banner]", title), { message: "the banner is gone" }).toBe(0);
});

test("mark all read on the notifications page clears the badge", async ({ engine }) => {
  expect(await badge(engine), "something unread to clear").toBeGreaterThan(0);
  // Through the bell's popover and its "See all", as a user goes there: a client-side navigation
  // on the hydrated page.
  await engine.click("[data-testid=bell]");
  await expect.poll(() => onScreen(engine, "[data-testid=inbox-see-all]"), { message: "the bell's popover" }).toBe(1);
  await engine.click("[data-testid=inbox-see-all]");
  await expect.poll(() => engine.run<string>("return location.pathname"), { message: "the notifications page" }).toBe("/notifications/");
  await expect.poll(() => onScreen(engine, "[data-testid=mark-all-read]"), { message: "the mark-all-read button" }).toBe(1);
  await engine.click("[data-testid=mark-all-read]");
  await expect.poll(() => badge(engine), { message: "the badge" }).toBe(0);
});

test("when the network drops the page shows it, and once it is back it reconnects, catches up and receives new notifications", async ({ engine, engineName, link, admin }) => {
  // The engines log the refused connections while the network is down as errors: expected here.
  test.info().annotations.push({ type: "expected-error", description: "/ws/notifications/" });
  const reader = READER[engineName];
  const before = await badge(engine);
  await link.down();
  await expect.poll(() => connection(engine), { message: "ws-status while offline" }).not.toBe("connected");

  const missed = `Sent while you were offline (${engineName} ${Date.now()})`;
  await notify(admin, reader, missed);
  await link.up();
  // Backoff with jitter: a few seconds at most after a short outage.
  await expect.poll(() => connection(engine), { message: "ws-status once back", timeout: 20_000 }).toBe("connected");
  // The notifications page (where the previous test left her) and the badge have the missed one.
  await expect.poll(() => onScreen(engine, "[data-testid=notification-item]", missed), { message: "the missed one in the list" }).toBe(1);
  await expect.poll(() => badge(engine), { message: "the badge counts the missed one" }).toBe(before + 1);

  const fresh = `Sent once you were back (${engineName} ${Date.now()})`;
  await notify(admin, reader, fresh);
  await expect.poll(() => onScreen(engine, "[data-testid=toast]", fresh), { message: "the new toast", timeout: 4_000 }).toBe(1);
  await expect.poll(() => badge(engine), { message: "the badge" }).toBe(before + 2);
});

test("older notifications load as she scrolls down the notifications page", async ({ engine, engineName, admin }) => {
  // Enough for a second page (the first shows 20), whatever the demo data and earlier tests left.
  for (let i = 1; i <= 21; i += 1) await notify(admin, READER[engineName], `Older news ${i}`);
  await engine.goto("/notifications/");
  await expect.poll(() => connection(engine), { message: "ws-status" }).toBe("connected");
  await expect.poll(() => present(engine, "[data-testid=notification-item]"), { message: "the first page" }).toBe(20);
  // Scrolling to the end of the list brings the load-more marker into view, and an
  // IntersectionObserver loads the next page.
  await engine.run("document.querySelector('[data-testid=load-more]').scrollIntoView()");
  await expect.poll(() => present(engine, "[data-testid=notification-item]"), { message: "after scrolling" }).toBeGreaterThan(20);
});
