import { Browser, BrowserContext, Page, expect, test } from "@playwright/test";
import { adminApi, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

// Markup that would run if any page put it into the document unescaped: it closes the elements
// whose content is raw text (textarea, title, script, style) and adds an image whose error
// handler marks the page. It is stored in every field a user can write.
const PAYLOAD = `</textarea></title></script></style><img src=x data-xss onerror="document.documentElement.dataset.pwned=1">`;
const short = (tag: string) => `${tag}${PAYLOAD}`.slice(0, 120);

type Person = { context: BrowserContext; page: Page; name: string };

async function person(browser: Browser, prefix: string, role: string): Promise<Person> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await signUp(page, name, PASSWORD, role);
  return { context, page, name };
}

/** Nothing the payload could make is in the page, and nothing ran. */
async function expectInert(page: Page, path: string) {
  await expect(page.locator("[data-xss]"), `markup injected on ${path}`).toHaveCount(0);
  expect(await page.locator("html").getAttribute("data-pwned"), `script ran on ${path}`).toBeNull();
}

/** Visits `path` as the server renders it (no JavaScript) and hydrated; asserts both are inert and show `text`. */
async function visit(browser: Browser, who: Person, path: string, text: string) {
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: await who.context.storageState() });
  const staticPage = await noScript.newPage();
  await staticPage.goto(path);
  await expectInert(staticPage, `${path} (server HTML)`);
  await expect(staticPage.locator("body"), `${path} shows the text as text`).toContainText(text);
  await noScript.close();

  await who.page.goto(path);
  await expect(who.page.locator("html[data-hydrated]")).toHaveCount(1);
  await expect(who.page.locator("body")).toContainText(text);
  await expectInert(who.page, `${path} (hydrated)`);
}

test("script stored in every user-writable field shows as text on every page and never runs", async ({ browser }) => {
  test.setTimeout(180_000);
  const employer = await person(browser, "xssboss", "employer");
  const seeker = await person(browser, "xssseeker", "jobseeker");

  // The employer posts a job with the payload in every field.
  await employer.page.goto("/employer/jobs/");
  const form = employer.page.getByTestId("post-job-form");
  await form.getByLabel("Title").fill(short("Job title"));
  await form.getByLabel("Company").fill(short("Company"));
  await form.getByLabel("Location").fill(short("Location"));
  await form.getByLabel("Description").fill(`Description ${PAYLOAD}`);
  await form.getByRole("button", { name: "Post the job" }).click();
  await expect(employer.page.getByTestId("job")).toBeVisible();
  const jobPath = new URL(employer.page.url()).pathname;
  const jobId = jobPath.split("/").filter(Boolean).pop();

  // The jobseeker fills their profile and applies with the payload, then messages the employer.
  await seeker.page.goto(`/profile/${seeker.name}`);
  const profile = seeker.page.getByTestId("profile-form");
  await profile.getByLabel("Headline").fill(short("Headline"));
  // Skills are short (40 characters each): the payload goes in pieces.
  await profile.getByLabel("Skills (comma-separated)").fill(`Skill</textarea><img src=x data-xss>, </title><img src=x data-xss>`);
  await profile.getByLabel("About you").fill(`Bio ${PAYLOAD}`);
  await profile.getByRole("button", { name: "Save" }).click();
  await expect(seeker.page.locator(".lead")).toContainText("Headline");

  await seeker.page.goto(jobPath);
  // Hydrated first: hydration would empty a cover letter typed before.
  await expect(seeker.page.locator("html[data-hydrated]")).toHaveCount(1);
  await seeker.page.getByTestId("apply-form").getByLabel("Cover letter (optional)").fill(`Cover ${PAYLOAD}`);
  await seeker.page.getByRole("button", { name: "Apply" }).click();
  await expect(seeker.page.getByTestId("applied")).toBeVisible();

  await seeker.page.goto(`/messages/${employer.name}`);
  await expect(seeker.page.locator("html[data-hydrated]")).toHaveCount(1);
  await seeker.page.getByTestId("message-form").getByLabel("Message").fill(`Message ${PAYLOAD}`);
  await seeker.page.getByRole("button", { name: "Send" }).click();
  await expect(seeker.page.getByTestId("thread")).toContainText("Message </textarea>");

  // An admin (or a service) sends a notification, one more through the bulk endpoint, and an
  // announcement, all carrying the payload.
  const admin = await adminApi();
  const sent = await admin.post("/api/notifications/", {
    data: { username: seeker.name, title: short("Notice"), message: `Body ${PAYLOAD}`, link: `/jobs/${jobId}?q="><img/src=x/data-xss>` },
  });
  expect(sent.status()).toBe(201);
  const bulk = await admin.post("/api/notifications/bulk/", {
    data: { notifications: [{ username: seeker.name, title: short("Bulk notice"), message: `Bulk body ${PAYLOAD}` }] },
  });
  expect(bulk.status()).toBe(201);
  const global = await admin.post("/api/global-notifications/", { data: { title: short("Banner"), message: `Banner body ${PAYLOAD}` } });
  expect(global.status()).toBe(201);
  const { id: globalId } = await global.json();

  try {
    // Live: the toast and banner arrive over the socket on an open page.
    await expectInert(seeker.page, "the open conversation, after the live toast and banner");

    await visit(browser, employer, `/employer/jobs/${jobId}/`, "Description </textarea>");
    await visit(browser, employer, "/employer/jobs/", "Job title</textarea>");
    await visit(browser, employer, "/employer/applications/", seeker.name);
    await visit(browser, employer, "/notifications/", "New application");
    await visit(browser, employer, `/profile/${seeker.name}`, "Bio </textarea>");
    await visit(browser, employer, "/messages/", seeker.name);
    await visit(browser, employer, `/messages/${seeker.name}`, "Message </textarea>");
    await employer.page.goto("/employer/applications/");
    await employer.page.getByTestId("application-row").filter({ hasText: seeker.name }).getByRole("link").click();
    await expect(employer.page.getByTestId("application")).toBeVisible();
    await visit(browser, employer, new URL(employer.page.url()).pathname, "Cover </textarea>");

    await visit(browser, seeker, "/", "Job title</textarea>");
    await visit(browser, seeker, `/?q=${encodeURIComponent(PAYLOAD)}`, "Find your next job");
    await visit(browser, seeker, jobPath, "Description </textarea>");
    await visit(browser, seeker, `/profile/${seeker.name}`, "Bio </textarea>");
    await visit(browser, seeker, "/notifications/", "Notice</textarea>");
    await visit(browser, seeker, "/notifications/", "Bulk notice</textarea>");
    await visit(browser, seeker, "/realtime-test/", "Real-time test");

    const adminContext = await browser.newContext({ storageState: await admin.storageState() });
    const adminPerson = { context: adminContext, page: await adminContext.newPage(), name: "admin" };
    await visit(browser, adminPerson, "/admin-panel/notifications/", "Banner</textarea>");
    await adminContext.close();
  } finally {
    await admin.patch(`/api/global-notifications/${globalId}/`, { data: { is_active: false } });
    await admin.dispose();
    await employer.context.close();
    await seeker.context.close();
  }
});
