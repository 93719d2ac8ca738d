import { Page, expect, test } from "@playwright/test";
import { DEMO_PASSWORD, signIn } from "./helpers";

// The Content-Security-Policy is enforced by the browser, so it is tested in one: every page a
// person can reach hydrates and goes live without a single violation, and markup that breaks the
// policy is refused and reported.

/** Records every `securitypolicyviolation` event of the page, from before its first script. */
async function recordViolations(page: Page) {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sample})`);
    });
  });
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** Opens `path`, waits until it is hydrated (and, for someone signed in, its socket is live), and
 * returns the violations seen. */
async function visit(page: Page, path: string, signedIn: boolean): Promise<string[]> {
  await page.goto(path);
  await expect(page.locator("html[data-hydrated]")).toHaveCount(1);
  if (signedIn) {
    await expect(page.getByTestId("ws-status")).toHaveText("connected");
  }
  return violations(page);
}

const PAGES = {
  visitor: ["/", "/login", "/register", "/jobs/1", "/no-such-page"],
  jobseeker: ["/", "/notifications/", "/applications/", "/messages/", "/messages/acme", "/profile/ada", "/jobs/1"],
  employer: ["/employer/jobs/", "/employer/jobs/1/", "/employer/applications/", "/profile/acme"],
  admin: ["/admin-panel/notifications/", "/realtime-test/", "/notifications/"],
};
const ACCOUNTS = { jobseeker: "ada", employer: "acme", admin: "admin" } as const;

test("no page Herald serves breaks its own content security policy", async ({ page }) => {
  test.setTimeout(120_000);
  await recordViolations(page);
  for (const path of PAGES.visitor) {
    expect(await visit(page, path, false), `violations on ${path} (signed out)`).toEqual([]);
  }
  for (const role of ["jobseeker", "employer", "admin"] as const) {
    await page.context().clearCookies();
    await signIn(page, ACCOUNTS[role], DEMO_PASSWORD);
    for (const path of PAGES[role]) {
      expect(await visit(page, path, true), `violations on ${path} (${role})`).toEqual([]);
    }
  }
});

test("a script injected without the page's nonce is refused and reported as a violation", async ({ page }) => {
  await recordViolations(page);
  expect(await visit(page, "/", false)).toEqual([]);

  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "document.documentElement.dataset.injected = '1'";
    document.body.appendChild(script);
    const image = document.createElement("img");
    image.src = "https://evil.example/pixel.png";
    document.body.appendChild(image);
  });

  await expect.poll(() => violations(page)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^script-src/), expect.stringMatching(/^img-src/)]),
  );
  expect(await page.locator("html").getAttribute("data-injected"), "the injected script ran").toBeNull();
});

test("pages carry a nonce-based policy that forbids framing, and JSON carries one that allows nothing", async ({ request }) => {
  const page = await request.get("/");
  const policy = page.headers()["content-security-policy"];
  expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/_=-]+'/);
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain("unsafe-inline");

  const json = await request.get("/api/auth/me/");
  expect(json.headers()["content-security-policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
});
