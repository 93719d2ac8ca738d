import { ChildProcess, spawn } from "child_process";
import { mkdtempSync } from "fs";
import { tmpdir } from "os";
import path from "path";

// A Herald of a test's own, for what the suite's shared server cannot do: be stopped and
// started again, or run with settings of its own (a short session, a fast ping). It binds a port
// the system picks, read from the server's own "listening" log line, so no other server can
// answer in its place.
const ROOT = path.resolve(__dirname, "..", "..");

export type Herald = { child: ChildProcess; base: string };

/** A fresh SQLite file for a Herald of a test's own. */
export function freshDatabase(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), "herald-e2e-")), "herald.db");
}

/**
 * Starts `herald serve --demo` on `database`, on `port` (0: one the system picks), with extra
 * `HERALD_*` settings in `env`; answers once it is ready. A server that does not come up is
 * stopped before the error is thrown.
 */
export async function startHerald(database: string, port = 0, env: Record<string, string> = {}): Promise<Herald> {
  const child = spawn(path.join(ROOT, "target/debug/herald"), ["serve", "--demo"], {
    env: {
      ...process.env,
      HERALD_DATABASE_URL: `sqlite://${database}`,
      HERALD_BIND: `127.0.0.1:${port}`,
      HERALD_SITE_ROOT: path.join(ROOT, "target/site"),
      HERALD_LOG: "info",
      HERALD_LOG_FORMAT: "json",
      ...env,
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

/** Stops the server the way a deployment does (SIGTERM) and waits until it has exited. */
export async function stopHerald({ child }: Herald) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}
