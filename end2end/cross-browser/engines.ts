// The two engines Debian ships besides Chromium, each driven through its own WebDriver endpoint:
// Firefox ESR over WebDriver BiDi (Puppeteer speaks it to Firefox directly, no geckodriver), and
// WebKitGTK over classic WebDriver (`WebKitWebDriver`, which starts WebKit's MiniBrowser), with
// selenium-webdriver as the client. Both get the same small interface, so one smoke spec runs
// in each: real clicks and keystrokes go through the driver; what the page shows is read by the
// same script run in the page.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import puppeteer, { type Browser as PuppeteerBrowser, type Page } from "puppeteer-core";
import { Builder, By, Capabilities, type WebDriver } from "selenium-webdriver";

export type EngineName = "firefox" | "webkit";

/** What one element matching a selector looks like to a user. */
export interface Seen {
  text: string;
  visible: boolean;
  /** Where it is, in CSS pixels, relative to the window it is shown in. */
  box: { left: number; top: number; right: number; bottom: number };
  /** The size of that window. */
  viewport: { width: number; height: number };
}

export interface Engine {
  /** For messages: "Firefox 153.7.0" or "WebKitGTK (MiniBrowser)". */
  readonly version: string;
  /** Opens `path` on the site and waits for the page's load event. */
  goto(path: string): Promise<void>;
  /** Types into the first element matching `selector`, key by key. */
  type(selector: string, text: string): Promise<void>;
  /** Clicks the first element matching `selector`, as a user's pointer would. */
  click(selector: string): Promise<void>;
  /** Runs `body` (a function body that may use `arguments`) in the page; answers its result. */
  run<T>(body: string, ...args: unknown[]): Promise<T>;
  /**
   * Errors the page threw or logged with `console.error` since the last call. Firefox reports
   * every one over BiDi; classic WebDriver has no console for WebKitGTK, so there a listener is
   * put into each page `goto` opens, and sees what happens after the load.
   */
  takeErrors(): Promise<string[]>;
  close(): Promise<void>;
}

const WINDOW = { width: 1280, height: 800 };

/**
 * Starts `name` showing `baseURL`. `notifications: false` takes the Notification API away (in
 * Firefox, by its pref), as browsers without it (Safari on iOS outside a home-screen app) are.
 */
export async function launch(name: EngineName, baseURL: string, notifications = true): Promise<Engine> {
  if (name === "firefox") return launchFirefox(baseURL, notifications);
  if (!notifications) throw new Error("only Firefox can be started without the Notification API");
  return launchWebKit(baseURL);
}

async function launchFirefox(baseURL: string, notifications: boolean): Promise<Engine> {
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: "firefox",
    executablePath: process.env.HERALD_FIREFOX ?? "/usr/bin/firefox-esr",
    headless: true,
    defaultViewport: WINDOW,
    extraPrefsFirefox: {
      // The network reaches nothing but this machine: keep Firefox from phoning home.
      "network.captive-portal-service.enabled": false,
      "network.connectivity-service.enabled": false,
      "browser.safebrowsing.update.enabled": false,
      "dom.webnotifications.enabled": notifications,
    },
  });
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(`page error: ${String(error)}`));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console error: ${message.text()}`);
  });
  return {
    version: `Firefox ${(await browser.version()).replace(/^firefox\//, "")}`,
    async goto(path) {
      await page.goto(new URL(path, baseURL).toString(), { waitUntil: "load" });
    },
    async type(selector, text) {
      await page.type(selector, text);
    },
    async click(selector) {
      await page.click(selector);
    },
    async run<T>(body: string, ...args: unknown[]) {
      // eslint-disable-next-line @typescript-eslint/no-implied-eval
      return (await page.evaluate(new Function(body) as () => T, ...(args as []))) as T;
    },
    async takeErrors() {
      return errors.splice(0);
    },
    async close() {
      await browser.close();
    },
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForDriver(url: string, driver: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${driver.exitCode}`);
    try {
      if ((await fetch(`${url}/status`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("WebKitWebDriver did not answer within 15 s");
}

async function launchWebKit(baseURL: string): Promise<Engine> {
  const port = await freePort();
  // WebKitGTK has no headless mode: run.sh gives it a virtual display (Xvfb) when there is none.
  const service = spawn(process.env.HERALD_WEBKIT_DRIVER ?? "/usr/bin/WebKitWebDriver", [`--port=${port}`], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  let driver: WebDriver;
  try {
    await waitForDriver(url, service);
    const browserOptions: Record<string, unknown> = { args: ["--automation"] };
    if (process.env.HERALD_WEBKIT_BROWSER) browserOptions.binary = process.env.HERALD_WEBKIT_BROWSER;
    driver = await new Builder()
      .usingServer(url)
      .withCapabilities(
        new Capabilities({ browserName: "MiniBrowser", "webkitgtk:browserOptions": browserOptions }),
      )
      .build();
    await driver.manage().window().setRect(WINDOW);
  } catch (error) {
    service.kill();
    throw error;
  }
  const caps = await driver.getCapabilities();
  const version = caps.getBrowserVersion() ?? "";
  return {
    version: `WebKitGTK ${version}`.trim(),
    async goto(path) {
      await driver.get(new URL(path, baseURL).toString());
      await driver.executeScript(LISTEN_FOR_ERRORS);
    },
    async type(selector, text) {
      await driver.findElement(By.css(selector)).sendKeys(text);
    },
    async click(selector) {
      await driver.findElement(By.css(selector)).click();
    },
    async run<T>(body: string, ...args: unknown[]) {
      return (await driver.executeScript(body, ...args)) as T;
    },
    async takeErrors() {
      return ((await driver.executeScript("return (window.__heraldErrors || []).splice(0)")) as string[]) ?? [];
    },
    async close() {
      try {
        await driver.quit();
      } finally {
        service.kill();
      }
    },
  };
}

/** Collects the page's uncaught errors, rejections and `console.error` calls in `__heraldErrors`. */
const LISTEN_FOR_ERRORS = `
  if (window.__heraldErrors) return;
  const errors = (window.__heraldErrors = []);
  addEventListener("error", (e) => errors.push("page error: " + e.message));
  addEventListener("unhandledrejection", (e) => errors.push("unhandled rejection: " + String(e.reason)));
  const original = console.error.bind(console);
  console.error = (...args) => {
    errors.push("console error: " + args.map(String).join(" "));
    original(...args);
  };
`;

/**
 * Every element matching `selector` (and containing `text`, when given), as a user sees it:
 * its text and whether it is on screen (not hidden, not `display: none`, with a size).
 */
export const SEEN = `
  const [selector, text] = arguments;
  return Array.from(document.querySelectorAll(selector))
    .filter((e) => text == null || e.textContent.includes(text))
    .map((e) => {
      const box = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return {
        text: e.textContent.trim().replace(/\\s+/g, " "),
        box: { left: box.left, top: box.top, right: box.right, bottom: box.bottom },
        viewport: { width: document.documentElement.clientWidth, height: document.documentElement.clientHeight },
        visible: !e.closest("[hidden]") && style.display !== "none" && style.visibility !== "hidden"
          && box.width > 0 && box.height > 0,
      };
    });
`;

export async function seen(engine: Engine, selector: string, text?: string): Promise<Seen[]> {
  return engine.run<Seen[]>(SEEN, selector, text ?? null);
}
