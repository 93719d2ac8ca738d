import { execFileSync } from "child_process";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, notify } from "./helpers";
import { freshDatabase, startHerald, stopHerald } from "./own-herald";

// This test runs a Herald of its own, so it can stop and start it. The restart binds the port
// the first start was given, as a restarted deployment would.

/** Writes a notification straight into the database, as if created while the server was down. */
function insertWhileDown(database: string, username: string, title: string) {
  const script = `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(user_id,) = db.execute("SELECT id FROM users WHERE username = ?", (sys.argv[2],)).fetchone()
db.execute("INSERT INTO notifications (user_id, title, message, notification_type, created_at) VALUES (?, ?, '', 'system', '2026-01-01T00:00:00Z')", (user_id, sys.argv[3]))
db.commit()
`;
  execFileSync("python3", ["-c", script, database, username, title]);
}

test("after a server restart the page reconnects by itself and shows what was created meanwhile, once", async ({ page }) => {
  test.setTimeout(60_000);
  const database = freshDatabase();
  let server = await startHerald(database);
  const port = Number(new URL(server.base).port);
  try {
    await page.goto(`${server.base}/login`);
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    const status = page.getByTestId("ws-status");
    await expect(status).toHaveText("connected");
    const badge = page.getByTestId("notification-badge");
    await expect(badge).toHaveText("1");

    await stopHerald(server);
    await expect(status).toHaveText("connecting");
    insertWhileDown(database, "ada", "Created while the server was down");

    server = await startHerald(database, port);
    await expect(status).toHaveText("connected", { timeout: 20_000 });
    const toasts = page.getByTestId("toast").filter({ hasText: "Created while the server was down" });
    await expect(toasts).toHaveCount(1);
    await expect(badge).toHaveText("2");
    // Shown once: a notification sent after the replay arrives behind anything the replay
    // could still have sent twice. (At most one: the first toast may have run out its 5 s.)
    await notify("ada", "Sent after the restart", {}, server.base);
    await expect(page.getByTestId("toast").filter({ hasText: "Sent after the restart" })).toHaveCount(1);
    expect(await toasts.count()).toBeLessThanOrEqual(1);
  } finally {
    await stopHerald(server);
  }
});
