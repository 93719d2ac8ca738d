import { expect, request, test } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { DEMO_PASSWORD, signUp, uniqueName } from "./helpers";

// Two Herald instances on PostgreSQL, with Redis between them, behind nginx: what
// `make cluster` runs. Needs the PostgreSQL and Redis that HERALD_TEST_POSTGRES_URL and
// HERALD_TEST_REDIS_URL name (CI sets both); skipped, and said so, without them.
const postgres = process.env.HERALD_TEST_POSTGRES_URL;
const redis = process.env.HERALD_TEST_REDIS_URL;
const port = 3180;
const instancePorts = [3181, 3182];
const base = `http://127.0.0.1:${port}`;
const root = `${__dirname}/../..`;
const database = `herald_e2e_${Date.now().toString(36)}`;

if (!postgres || !redis) {
  console.warn("SKIPPED: the cluster test needs HERALD_TEST_POSTGRES_URL and HERALD_TEST_REDIS_URL");
}

/** `url` pointing at database `name` on the same server. */
function onDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** How many sockets an instance holds, from its /metrics. */
async function socketsOn(instancePort: number): Promise<number> {
  const api = await request.newContext();
  const text = await (await api.get(`http://127.0.0.1:${instancePort}/metrics`)).text();
  await api.dispose();
  const line = text.split("\n").find((l) => l.startsWith("herald_websocket_connections "));
  return Number(line?.split(" ")[1] ?? 0);
}

function stopCluster() {
  const work = `${root}/target/cluster`;
  for (const file of ["herald.pids", "nginx.pid"]) {
    let pids: string[] = [];
    try {
      pids = readFileSync(`${work}/${file}`, "utf8").split(/\s+/).filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of pids) {
      try {
        process.kill(Number(pid));
      } catch {
        // already gone
      }
    }
  }
}

test.describe("two instances behind nginx", () => {
  test.skip(!postgres || !redis, "needs HERALD_TEST_POSTGRES_URL and HERALD_TEST_REDIS_URL");
  test.use({ baseURL: base });

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    execFileSync("psql", [postgres!, "-qc", `CREATE DATABASE ${database}`]);
    execFileSync("bash", ["scripts/cluster.sh"], {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: {
        ...process.env,
        HERALD_SKIP_BUILD: "1",
        HERALD_CLUSTER_DETACH: "1",
        HERALD_CLUSTER_SIZE: "2",
        HERALD_CLUSTER_PORT: String(port),
        HERALD_CLUSTER_FIRST_INSTANCE_PORT: String(instancePorts[0]),
        HERALD_DATABASE_URL: onDatabase(postgres!, database),
        HERALD_BROKER: redis!,
        HERALD_BROKER_CHANNEL: database,
        HERALD_MAX_SIGN_UPS_PER_HOUR: "1000",
      },
    });
  });

  test.afterAll(() => {
    stopCluster();
    try {
      execFileSync("psql", [postgres!, "-qc", `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
    } catch (err) {
      console.warn(`could not drop ${database}: ${err}`);
    }
  });

  test("a notification published through one instance raises the toast and the badge on a page whose socket is on the other", async ({ page }) => {
    const username = uniqueName("spread");
    await signUp(page, username, "a long enough password");
    await expect(page.getByTestId("ws-status")).toHaveText("connected");

    // Which instance nginx gave the page's socket to decides where to publish: the other one.
    let holder = -1;
    await expect(async () => {
      const counts = await Promise.all(instancePorts.map(socketsOn));
      holder = counts.findIndex((n) => n > 0);
      expect(holder).toBeGreaterThanOrEqual(0);
    }).toPass();
    const other = instancePorts[1 - holder];

    const api = await request.newContext({ baseURL: `http://127.0.0.1:${other}` });
    const signedIn = await api.post("/api/auth/login/", {
      data: { username: "admin", password: DEMO_PASSWORD },
    });
    expect(signedIn.status()).toBe(200);
    const sent = await api.post("/api/notifications/", {
      data: { username, title: "Sent through the other instance" },
    });
    expect(sent.status()).toBe(201);
    await api.dispose();

    await expect(page.getByTestId("toast")).toContainText("Sent through the other instance");
    await expect(page.getByTestId("notification-badge")).toHaveText("1");
  });
});
