import { expect, request, test } from "@playwright/test";
import { baseURL } from "../playwright.config";
import { adminApi, uniqueName } from "./helpers";

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
