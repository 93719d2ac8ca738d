import { expect, test } from "@playwright/test";
import { notify, signUp, uniqueName } from "./helpers";

test("the test page connects and disconnects by hand, sends frames and calls the API, logging everything", async ({ page }) => {
  const username = uniqueName("tester");
  await signUp(page, username, "a long enough password");
  await page.goto("/realtime-test/");
  const log = page.getByTestId("activity-log");
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  await page.getByTestId("disconnect").click();
  await expect(page.getByTestId("ws-status")).toHaveText("disconnected");
  await expect(page.getByTestId("test-status")).toHaveText("disconnected");
  await page.getByTestId("connect").click();
  await expect(page.getByTestId("ws-status")).toHaveText("connected");

  await page.getByTestId("send-frame").click();
  await expect(log.locator("li.log-received").filter({ hasText: '{"type":"pong"}' })).toHaveCount(1);

  await page.getByRole("button", { name: "Bad frame" }).click();
  await expect(log.locator("li.log-received").filter({ hasText: "invalid_frame" })).toHaveCount(1);

  await page.getByRole("button", { name: "GET me" }).click();
  await expect(log.locator("li.log-received").filter({ hasText: `200 GET /api/auth/me/` })).toContainText(username);

  await page.getByRole("button", { name: "POST notification (admins)" }).click();
  await expect(log.locator("li.log-error").filter({ hasText: "403 POST /api/notifications/" })).toHaveCount(1);

  await notify(username, "Shown on the test page");
  await expect(page.getByTestId("received")).toContainText("Shown on the test page");
});
