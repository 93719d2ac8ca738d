import { Browser, expect, test } from "@playwright/test";
import { adminApi, DEMO_PASSWORD, signIn, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

/** A new browser (its own cookies) signed up as a new `role`, on its home page, live. */
async function person(browser: Browser, prefix: string, role: "jobseeker" | "employer") {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, uniqueName(prefix), PASSWORD, role);
  await expect(page.getByTestId("ws-status")).toHaveText("connected");
  return { context, page };
}

async function adminPanel(browser: Browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "admin", DEMO_PASSWORD);
  await page.goto("/admin-panel/notifications/");
  return { context, page };
}

test("an announcement for employers shows on an employer's page and not a jobseeker's", async ({ browser }) => {
  const seeker = await person(browser, "seeker", "jobseeker");
  const employer = await person(browser, "hirer", "employer");
  const admin = await adminPanel(browser);

  const title = `Employer briefing ${uniqueName("a")}`;
  const form = admin.page.getByTestId("announce-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Audience").selectOption("employers");
  await form.getByRole("button", { name: "Announce" }).click();
  await expect(admin.page.getByTestId("announced")).toBeVisible();
  const row = admin.page.getByTestId("global-row").filter({ hasText: title });
  await expect(row.getByTestId("global-audience")).toHaveText("Employers");

  // Live on the employer's open page...
  const employerBanner = employer.page.getByTestId("global-banner").filter({ hasText: title });
  await expect(employerBanner).toBeVisible();
  // ...and never on the jobseeker's, neither live nor once the page is loaded again.
  const seekerBanner = seeker.page.getByTestId("global-banner").filter({ hasText: title });
  await seeker.page.waitForTimeout(1000);
  await expect(seekerBanner).toHaveCount(0);
  await seeker.page.goto("/notifications/");
  await expect(seeker.page.getByTestId("ws-status")).toHaveText("connected");
  await expect(seekerBanner).toHaveCount(0);
  await expect(seeker.page.getByText(title)).toHaveCount(0);

  // The employer's next page renders it on the server too.
  await employer.page.goto("/notifications/");
  await expect(employerBanner).toBeVisible();
  // Connected before it is taken down: a fresh page's first socket replays what is new, not
  // what ended between the render and the connection.
  await expect(employer.page.getByTestId("ws-status")).toHaveText("connected");

  await row.getByTestId("deactivate").click();
  await expect(employerBanner).toHaveCount(0);
  for (const context of [seeker.context, employer.context, admin.context]) await context.close();
});

test("an announcement's reach counts rise as people see and dismiss it", async ({ browser }) => {
  // One employer is on a page already: the announcement reaches them live, through the socket.
  const first = await person(browser, "firstboss", "employer");
  const api = await adminApi();
  const title = `Reach ${uniqueName("r")}`;
  const created = await api.post("/api/global-notifications/", { data: { title, audience: "employers" } });
  expect(created.status()).toBe(201);
  const global = await created.json();
  expect(global.reach).toEqual({ seen: 0, dismissed: 0 });
  const firstBanner = first.page.getByTestId("global-banner").filter({ hasText: title });
  await expect(firstBanner).toBeVisible();

  const admin = await adminPanel(browser);
  const row = admin.page.getByTestId("globals-live").getByTestId("global-row").filter({ hasText: title });
  const seen = row.getByTestId("reach-seen");
  const dismissed = row.getByTestId("reach-dismissed");
  await expect(seen).toHaveText("1");
  await expect(dismissed).toHaveText("0");

  // A second employer signs up: their first page is rendered with the banner. Seen by two.
  const second = await person(browser, "secondboss", "employer");
  const secondBanner = second.page.getByTestId("global-banner").filter({ hasText: title });
  await expect(secondBanner).toBeVisible();
  await expect(seen).toHaveText("2");

  // A jobseeker is not in the audience: they see nothing and count for nothing; nor does the
  // first employer seeing it again on another page.
  const seeker = await person(browser, "bystander", "jobseeker");
  await seeker.page.goto("/notifications/");
  await expect(seeker.page.getByTestId("global-banner").filter({ hasText: title })).toHaveCount(0);
  await first.page.goto("/notifications/");
  await expect(firstBanner).toBeVisible();
  await expect(first.page.getByTestId("ws-status")).toHaveText("connected");
  await admin.page.waitForTimeout(6000); // the panel refreshes every 5 s
  await expect(seen).toHaveText("2");

  // The second employer closes it: dismissed by one, and it stays gone for them.
  await secondBanner.getByTestId("banner-dismiss").click();
  await expect(secondBanner).toHaveCount(0);
  await expect(dismissed).toHaveText("1");
  await second.page.reload();
  await expect(second.page.getByTestId("ws-status")).toHaveText("connected");
  await expect(secondBanner).toHaveCount(0);

  const fromApi = await api.get(`/api/global-notifications/${global.id}/`);
  expect((await fromApi.json()).reach).toEqual({ seen: 2, dismissed: 1 });
  await api.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  await api.dispose();
  for (const context of [first.context, second.context, seeker.context, admin.context]) await context.close();
});

test("the admin panel lists a scheduled announcement apart from the live ones", async ({ browser }) => {
  const api = await adminApi();
  const title = `Later ${uniqueName("s")}`;
  const start = new Date(Date.now() + 3600_000).toISOString();
  const created = await api.post("/api/global-notifications/", { data: { title, audience: "jobseekers", starts_at: start } });
  expect(created.status()).toBe(201);
  const global = await created.json();

  const admin = await adminPanel(browser);
  const scheduled = admin.page.getByTestId("globals-scheduled").getByTestId("global-row").filter({ hasText: title });
  await expect(scheduled).toBeVisible();
  await expect(scheduled.getByTestId("global-audience")).toHaveText("Jobseekers");
  await expect(admin.page.getByTestId("globals-live").getByTestId("global-row").filter({ hasText: title })).toHaveCount(0);

  await api.patch(`/api/global-notifications/${global.id}/`, { data: { is_active: false } });
  await api.dispose();
  await admin.context.close();
});
