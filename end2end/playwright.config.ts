import { defineConfig } from "@playwright/test";

// The suite runs against a real Herald built by `cargo leptos build --split`, on a fresh SQLite file,
// in Debian's Chromium (Playwright's own browser download cannot work on these machines).
const port = Number(process.env.HERALD_E2E_PORT ?? 3100);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  // Generous: the debug WASM is large, and a loaded CI machine hydrates slowly. Assertions that
  // promise a speed (a toast within a second) set their own, tighter timeout.
  expect: { timeout: 15_000 },
  // A `test.only` left in by mistake would silently skip the rest of the suite on CI.
  forbidOnly: !!process.env.CI,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
  },
  webServer: {
    command: "bash ./serve.sh",
    url: `${baseURL}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
    env: { HERALD_E2E_PORT: String(port) },
  },
});
