import { ChildProcess, execFileSync, spawn } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import path from "path";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD } from "./helpers";

// This test runs a Herald of its own, so it can stop and start it.
const PORT = 3197;
const BASE = `http://127.0.0.1:${PORT}`;
const ROOT = path.resolve(__dirname, "..", "..");

async function startHerald(database: string): Promise<ChildProcess> {
  const child = spawn(path.join(ROOT, "target/debug/herald"), ["serve", "--demo"], {
    env: {
      ...process.env,
      HERALD_DATABASE_URL: `sqlite://${database}`,
      HERALD_BIND: `127.0.0.1:${PORT}`,
      HERALD_SITE_ROOT: path.join(ROOT, "target/site"),
    },
    stdio: "ignore",
  });
  for (let i = 0; i < 100; i += 1) {
    try {
      const response = await fetch(`${BASE}/healthz`);
      if (response.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("herald did not start");
}

async function stopHerald(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

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
  const database = path.join(mkdtempSync(path.join(tmpdir(), "herald-restart-")), "herald.db");
  let server = await startHerald(database);
  try {
    await page.goto(`${BASE}/login`);
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

    server = await startHerald(database);
    await expect(status).toHaveText("connected", { timeout: 20_000 });
    const toasts = page.getByTestId("toast").filter({ hasText: "Created while the server was down" });
    await expect(toasts).toHaveCount(1);
    await expect(badge).toHaveText("2");
    await page.waitForTimeout(500);
    await expect(toasts).toHaveCount(1);
  } finally {
    await stopHerald(server);
  }
});
