import { Browser, Page, expect, test } from "@playwright/test";
import { notify, signUp, uniqueName } from "./helpers";

const PASSWORD = "a long enough password";

async function person(browser: Browser, prefix: string, role: string): Promise<{ page: Page; name: string; close: () => Promise<void> }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const name = uniqueName(prefix);
  await signUp(page, name, PASSWORD, role);
  return { page, name, close: () => context.close() };
}

async function postJob(page: Page, title: string) {
  await page.goto("/employer/jobs/");
  const form = page.getByTestId("post-job-form");
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Company").fill("Testing Ltd");
  await form.getByLabel("Location").fill("Remote");
  await form.getByLabel("Description").fill("Write tests that can fail.");
  await form.getByRole("button", { name: "Post the job" }).click();
  await expect(page.getByTestId("job")).toContainText(title);
  return page.url();
}

test("a jobseeker applies and the employer, on another page, gets the toast and badge within a second", async ({ browser }) => {
  const employer = await person(browser, "boss", "employer");
  const seeker = await person(browser, "seeker", "jobseeker");
  const title = `Tester ${employer.name}`;
  const jobUrl = await postJob(employer.page, title);

  await employer.page.goto("/employer/applications/");
  await expect(employer.page.getByTestId("ws-status")).toHaveText("connected");
  await expect(employer.page.getByTestId("shell")).toHaveAttribute("data-shell", "employer");

  await seeker.page.goto(jobUrl);
  await expect(seeker.page.getByTestId("shell")).toHaveAttribute("data-shell", "jobseeker");
  // Hydrated (the socket connects only then): hydration would empty a cover letter typed before.
  await expect(seeker.page.getByTestId("ws-status")).toHaveText("connected");
  await seeker.page.getByTestId("apply-form").getByLabel("Cover letter (optional)").fill("I test things.");
  await seeker.page.getByRole("button", { name: "Apply" }).click();
  await expect(seeker.page.getByTestId("applied")).toBeVisible();

  await expect(employer.page.getByTestId("toast").filter({ hasText: `New application: ${title}` })).toBeVisible({ timeout: 1000 });
  await expect(employer.page.getByTestId("notification-badge")).toHaveText("1");
  // The applications page updates by itself.
  await expect(employer.page.getByTestId("application-row").filter({ hasText: seeker.name })).toBeVisible();
  await employer.page.getByTestId("application-row").filter({ hasText: seeker.name }).getByRole("link").click();
  await expect(employer.page.getByTestId("application")).toContainText(`${seeker.name} applied to ${title}`);
  await expect(employer.page.getByText("I test things.")).toBeVisible();

  await seeker.close();
  await employer.close();
});

test("applying twice says so clearly", async ({ browser }) => {
  const employer = await person(browser, "boss", "employer");
  const seeker = await person(browser, "twice", "jobseeker");
  const jobUrl = await postJob(employer.page, `Once only ${employer.name}`);
  await seeker.page.goto(jobUrl);
  const secondTab = await seeker.page.context().newPage();
  await secondTab.goto(jobUrl);
  await seeker.page.getByRole("button", { name: "Apply" }).click();
  await expect(seeker.page.getByTestId("applied")).toBeVisible();
  await secondTab.getByRole("button", { name: "Apply" }).click();
  await expect(secondTab.getByTestId("form-error")).toHaveText("you have already applied to this job");
  await seeker.close();
  await employer.close();
});

test("a message raises a toast for the recipient elsewhere and appears live in the open conversation", async ({ browser }) => {
  const employer = await person(browser, "writer", "employer");
  const seeker = await person(browser, "reader", "jobseeker");

  await seeker.page.goto("/");
  await expect(seeker.page.getByTestId("ws-status")).toHaveText("connected");
  await employer.page.goto(`/messages/${seeker.name}`);
  // Hydrated (the socket connects only then): hydration would empty a message typed before.
  await expect(employer.page.getByTestId("ws-status")).toHaveText("connected");
  const form = employer.page.getByTestId("message-form");
  await form.getByLabel("Message").fill("Hello, are you available?");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(employer.page.getByTestId("message").filter({ hasText: "Hello, are you available?" })).toHaveCount(1);

  await expect(seeker.page.getByTestId("toast").filter({ hasText: `New message from ${employer.name}` })).toBeVisible({ timeout: 1000 });
  await expect(seeker.page.getByTestId("notification-badge")).toHaveText("1");

  // With the conversation open, the next message appears in it and raises no notification.
  await seeker.page.goto(`/messages/${employer.name}`);
  await expect(seeker.page.getByTestId("ws-status")).toHaveText("connected");
  await expect(seeker.page.getByTestId("message")).toHaveCount(1);
  await seeker.page.waitForTimeout(300);
  await form.getByLabel("Message").fill("Let's talk tomorrow.");
  await form.getByRole("button", { name: "Send" }).click();
  await expect(seeker.page.getByTestId("message").filter({ hasText: "Let's talk tomorrow." })).toBeVisible({ timeout: 1000 });
  // Opening the conversation read the first message's notification too.
  await expect(seeker.page.getByTestId("notification-badge")).toBeHidden();
  // A notification sent now arrives behind any the second message could have raised: once its
  // toast shows, the message's would have too.
  await notify(seeker.name, "Sent after the second message");
  await expect(seeker.page.getByTestId("toast").filter({ hasText: "Sent after the second message" })).toBeVisible();
  await expect(seeker.page.getByTestId("toast").filter({ hasText: "New message" })).toHaveCount(0);
  await expect(seeker.page.getByTestId("notification-badge")).toHaveText("1");

  await seeker.close();
  await employer.close();
});

test("an employer opens a profile twice and the jobseeker gets one profile view notification", async ({ browser }) => {
  const employer = await person(browser, "looker", "employer");
  const seeker = await person(browser, "looked", "jobseeker");
  await seeker.page.goto(`/profile/${seeker.name}`);
  const form = seeker.page.getByTestId("profile-form");
  await form.getByLabel("Headline").fill("Tester of things");
  await form.getByLabel("Skills (comma-separated)").fill("Playwright, Rust");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(seeker.page.getByTestId("profile")).toContainText("Tester of things");
  await expect(seeker.page.getByTestId("ws-status")).toHaveText("connected");

  await employer.page.goto(`/profile/${seeker.name}`);
  await expect(employer.page.getByTestId("profile")).toContainText("Tester of things");
  await employer.page.reload();
  await expect(employer.page.getByTestId("profile")).toContainText("Playwright");

  await expect(seeker.page.getByTestId("toast").filter({ hasText: `${employer.name} viewed your profile` })).toHaveCount(1);
  await expect(seeker.page.getByTestId("notification-badge")).toHaveText("1");
  await seeker.page.goto("/notifications/");
  await expect(seeker.page.getByTestId("notification-item").filter({ hasText: "viewed your profile" })).toHaveCount(1);

  await seeker.close();
  await employer.close();
});

test("the job list searches by keyword and location", async ({ page }) => {
  await page.goto("/?q=rust&location=remote");
  await expect(page.getByTestId("job-card").filter({ hasText: "Senior Rust Engineer" })).toBeVisible();
  await expect(page.getByTestId("job-card").filter({ hasText: "Frontend Engineer" })).toHaveCount(0);
  await page.goto("/?q=nothing-matches-this");
  await expect(page.getByTestId("job-count")).toHaveText("0 open job(s)");
});
