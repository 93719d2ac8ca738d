import { expect, test } from "@playwright/test";
import { adminApi, signUp, uniqueName } from "./helpers";

test("the notifications page loads older ones as the reader scrolls", async ({ page }) => {
  const username = uniqueName("scroller");
  await signUp(page, username, "a long enough password");
  const admin = await adminApi();
  for (let i = 1; i <= 45; i += 1) {
    const response = await admin.post("/api/notifications/", { data: { username, title: `News ${i}` } });
    expect(response.status()).toBe(201);
  }
  await admin.dispose();
  await page.goto("/notifications/");
  const items = page.getByTestId("notification-item");
  await expect(items).toHaveCount(20);
  await expect(items.first()).toContainText("News 45");
  await page.getByTestId("load-more").scrollIntoViewIfNeeded();
  await expect(items).toHaveCount(40);
  await page.getByTestId("load-more").scrollIntoViewIfNeeded();
  await expect(items).toHaveCount(45);
  await expect(items.last()).toContainText("News 1");
  await expect(page.getByTestId("load-more")).toHaveCount(0);
});

test("the unread filter shows only unread notifications", async ({ page }) => {
  const username = uniqueName("filter");
  await signUp(page, username, "a long enough password");
  const admin = await adminApi();
  for (const title of ["Keep me", "Read me"]) {
    await admin.post("/api/notifications/", { data: { username, title } });
  }
  await admin.dispose();
  await page.goto("/notifications/");
  await page.getByTestId("notification-item").filter({ hasText: "Read me" }).getByTestId("mark-read").click();
  await expect(page.getByTestId("notification-badge")).toHaveText("1");
  await page.goto("/notifications/?unread=true");
  await expect(page.getByTestId("notification-item")).toHaveCount(1);
  await expect(page.getByTestId("notification-item")).toContainText("Keep me");
});
