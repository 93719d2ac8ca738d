import { type APIRequestContext, expect, request, test as base } from "@playwright/test";
import { heraldPort, heraldURL } from "./playwright.config";
import { type Engine, type EngineName, type Seen, launch, seen } from "./engines";
import { Link } from "./link";

export const DEMO_PASSWORD = "herald-demo";

/** Each engine signs in as its own demo jobseeker, so the two never see each other's toasts. */
export const READER: Record<EngineName, string> = { firefox: "ada", webkit: "grace" };

type Worker = {
  engineName: EngineName;
  /** Whether the engine has the Notification API (a project takes it away from Firefox). */
  notifications: boolean;
  /** The browser's way to Herald, which a test can cut. */
  link: Link;
  /** One browser, one page, kept across the serial tests of a project. */
  engine: Engine;
  /** The JSON API, signed in as the demo admin (straight to Herald, not through the link). */
  admin: APIRequestContext;
};

export const test = base.extend<object, Worker>({
  engineName: ["firefox", { option: true, scope: "worker" }],
  notifications: [true, { option: true, scope: "worker" }],
  link: [
    async ({}, use) => {
      const link = new Link({ host: "127.0.0.1", port: heraldPort });
      await link.up();
      await use(link);
      await link.down();
    },
    { scope: "worker" },
  ],
  engine: [
    async ({ engineName, notifications, link }, use) => {
      const engine = await launch(engineName, link.url, notifications);
      await use(engine);
      await engine.close();
    },
    { scope: "worker", timeout: 60_000 },
  ],
  admin: [
    async ({}, use) => {
      const api = await request.newContext({ baseURL: heraldURL });
      const response = await api.post("/api/auth/login/", {
        data: { username: "admin", password: DEMO_PASSWORD },
      });
      expect(response.status()).toBe(200);
      await use(api);
      await api.dispose();
    },
    { scope: "worker" },
  ],
});

export { expect };

/** Sends `username` a notification through the JSON API, as the admin. */
export async function notify(admin: APIRequestContext, username: string, title: string) {
  const response = await admin.post("/api/notifications/", {
    data: { username, title, message: "from the cross-browser smoke suite" },
  });
  expect(response.status(), await response.text()).toBe(201);
  return response.json();
}

/** The number on the bell: 0 when the badge is hidden. */
export async function badge(engine: Engine): Promise<number> {
  const [bell] = await seen(engine, "[data-testid=notification-badge]");
  if (!bell) throw new Error("no notification badge on the page");
  return bell.visible ? Number(bell.text) : 0;
}

/** What `ws-status` reads. */
export async function connection(engine: Engine): Promise<string | undefined> {
  return (await seen(engine, "[data-testid=ws-status]"))[0]?.text;
}

/** How many elements matching `selector` (and holding `text`) are on screen. */
export async function onScreen(engine: Engine, selector: string, text?: string): Promise<number> {
  return (await seen(engine, selector, text)).filter((e) => e.visible).length;
}

/** How many elements match, on screen or not (for `html[data-hydrated]`, and what must be gone). */
export async function present(engine: Engine, selector: string, text?: string): Promise<number> {
  return (await seen(engine, selector, text)).length;
}

/**
 * Where the first visible element matching `selector` (and holding `text`) sits on screen, in
 * words: "bottom right" (within 3rem of both edges), "across the top" (its top edge in the first
 * 100 px, spanning most of the width), else its box; "nowhere" when none is on screen.
 */
export async function placement(engine: Engine, selector: string, text?: string): Promise<string> {
  const element = (await seen(engine, selector, text)).find((e) => e.visible);
  if (!element) return "nowhere";
  return describe(element);
}

function describe({ box, viewport }: Seen): string {
  const near = 48;
  if (viewport.width - box.right < near && viewport.height - box.bottom < near && box.left > viewport.width / 2) {
    return "bottom right";
  }
  if (box.top < 100 && box.right - box.left > viewport.width * 0.8) return "across the top";
  const r = (n: number) => Math.round(n);
  return `at left ${r(box.left)}, top ${r(box.top)}, right ${r(box.right)}, bottom ${r(box.bottom)} of ${viewport.width}x${viewport.height}`;
}
