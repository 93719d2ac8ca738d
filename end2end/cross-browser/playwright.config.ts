import { defineConfig } from "@playwright/test";
import type { EngineName } from "./engines";

// The cross-browser smoke suite: Playwright's test runner, but not its browsers. Each project
// drives one engine Debian ships (see engines.ts) against a real Herald, started by ../serve.sh
// on a fresh SQLite file on a port of its own. Run it with ./run.sh (it adds a virtual display
// for WebKitGTK when there is none).
export const heraldPort = Number(process.env.HERALD_SMOKE_PORT ?? 3200);
export const heraldURL = `http://127.0.0.1:${heraldPort}`;

export default defineConfig<object, { engineName: EngineName; notifications: boolean }>({
  testDir: ".",
  testMatch: "*.spec.ts",
  outputDir: "../test-results/cross-browser",
  timeout: 60_000,
  // Generous, as in the Chromium suite: the debug WASM is large and CI machines are loaded.
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  projects: [
    { name: "Firefox ESR", use: { engineName: "firefox" } },
    { name: "WebKitGTK", use: { engineName: "webkit" } },
    // Herald without the Notification API (as Safari on iOS is outside a home-screen app): the
    // same checks, with the desktop-alerts offer replaced by a note that there are none here.
    { name: "Firefox ESR, no Notification API", use: { engineName: "firefox", notifications: false } },
  ],
  webServer: {
    command: "bash ../serve.sh",
    url: `${heraldURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { HERALD_E2E_PORT: String(heraldPort), HERALD_E2E_DB: "cross-browser" },
  },
});
