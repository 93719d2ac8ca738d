import { ChildProcess, execFileSync, spawn } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import path from "path";
import { expect, test } from "@playwright/test";
import { DEMO_PASSWORD, notify } from "./helpers";

// This test runs a Herald of its own, so it can stop and start it. The first start binds a port
// the system picks, read from the server's own "listening" log line, so no other server can
// answer in its place; the restart binds that same port again, as a restarted deployment would.
const ROOT = path.resolve(__dirname, "..", "..");

type Herald = { child: ChildProcess; base: string };

async function startHerald(database: string, port = 0): Promise<Herald> {
  const child = spawn(path.join(ROOT, "target/debug/herald"), ["serve", "--demo"], {
    env: {
      ...process.env,
      HERALD_DATABASE_URL: `sqlite://${database}`,
      HERALD_BIND: `127.0.0.1:${port}`,
      HERALD_SITE_ROOT: path.join(ROOT, "target/site"),
      HERALD_LOG: "info",
      HERALD_LOG_FORMAT: "json",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const address = await listeningAddress(child);
    const base = `http://${address}`;
    const response = await fetch(`${base}/readyz`);
    if (!response.ok) throw new Error(`herald at ${base} answered ${response.status}`);
    return { child, base };
  } catch (err) {
    // A server that did not come up must not outlive the test.
    await stopHerald({ child, base: "" });
    throw err;
  }
}

/** The address the child logs once it listens; fails if it exits or takes over 20 s. */
function listeningAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = "";
    const timer = setTimeout(() => reject(new Error("herald did not start within 20 s")), 20_000);
    const done = (result: () => void) => {
      clearTimeout(timer);
      child.stdout?.off("data", onData);
      child.off("exit", onExit);
      // Keep draining the pipe, or a chatty server would block on a full one.
      child.stdout?.resume();
      result();
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`herald exited (${code}) before it listened`)));
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        try {
          const fields = JSON.parse(line).fields ?? {};
          if (fields.message === "listening" && fields.addr) return done(() => resolve(String(fields.addr)));
        } catch {
          // not a JSON line
        }
      }
    };
    child.stdout?.on("data", onData);
    child.once("exit", onExit);
  });
}

async function stopHerald({ child }: Herald) {
  if (child.exitCode !== null || child.signalCode !== null) return;
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
