// Takes the README's screenshots from a running Herald with demo data:
//   (cd end2end && bash serve.sh &) ; node end2end/screenshots.mjs
import { chromium } from "@playwright/test";

const base = process.env.HERALD_URL ?? "http://127.0.0.1:3100";
const out = new URL("../docs/screenshots/", import.meta.url).pathname;
const launch = {
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
};

async function signedIn(browser, username, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, colorScheme: "light" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill("herald-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("whoami").waitFor({ state: "attached" });
  return { context, page };
}

async function api(page, method, path, data) {
  const response = await page.request.fetch(`${base}${path}`, { method, data });
  return response.json();
}

const browser = await chromium.launch(launch);
const admin = await signedIn(browser, "admin");
const ada = await signedIn(browser, "ada");
const acme = await signedIn(browser, "acme");

await ada.page.goto(`${base}/?q=engineer`);
await ada.page.getByTestId("ws-status").getByText("connected").waitFor();
await ada.page.screenshot({ path: `${out}jobseeker-jobs.png` });

await ada.page.goto(`${base}/notifications/`);
await ada.page.getByTestId("ws-status").getByText("connected").waitFor();
await acme.page.goto(`${base}/employer/applications/`);
await acme.page.getByTestId("ws-status").getByText("connected").waitFor();

const global = await api(admin.page, "POST", "/api/global-notifications/", {
  title: "Scheduled maintenance",
  message: "Herald restarts at 22:00 UTC for about a minute; nothing will be lost.",
  level: "warning",
});
// A real application, made the way a jobseeker makes it.
await ada.page.goto(`${base}/?q=Senior+Rust`);
await ada.page.getByTestId("job-card").first().getByRole("link").click();
await ada.page.getByTestId("apply-form").getByLabel("Cover letter (optional)").fill("I have shipped async Rust for years.");
await ada.page.getByRole("button", { name: "Apply" }).click();
await ada.page.getByTestId("applied").waitFor();
await ada.page.goto(`${base}/notifications/`);
await ada.page.getByTestId("ws-status").getByText("connected").waitFor();
await api(admin.page, "POST", "/api/notifications/", {
  username: "ada",
  title: "Acme viewed your profile",
  message: "An employer looked at your profile.",
  notification_type: "profile_view",
});
await ada.page.getByTestId("toast").first().waitFor();
await acme.page.getByTestId("toast").first().waitFor();
await ada.page.waitForTimeout(400);
await ada.page.screenshot({ path: `${out}jobseeker-notifications.png` });
await acme.page.screenshot({ path: `${out}employer-toast-and-banner.png` });

await admin.page.goto(`${base}/admin-panel/notifications/`);
await admin.page.screenshot({ path: `${out}admin-panel.png`, fullPage: true });

await ada.page.goto(`${base}/realtime-test/`);
await ada.page.getByTestId("ws-status").getByText("connected").waitFor();
await ada.page.getByTestId("send-frame").click();
await ada.page.getByRole("button", { name: "GET notifications" }).click();
await ada.page.waitForTimeout(500);
await ada.page.screenshot({ path: `${out}realtime-test.png` });

// A burst: three toasts on screen, the rest behind "+N more".
await ada.page.goto(`${base}/?q=engineer`);
await ada.page.getByTestId("ws-status").getByText("connected").waitFor();
for (const title of ["Acme viewed your profile", "New message from acme", "Globex viewed your profile", "Your application to Senior Rust Engineer: reviewed", "Welcome to Herald", "New message from globex"]) {
  await api(admin.page, "POST", "/api/notifications/", { username: "ada", title, message: "Sent in a burst." });
}
await ada.page.getByTestId("toast-more").waitFor();
await ada.page.waitForTimeout(400);
await ada.page.screenshot({ path: `${out}toast-queue.png` });

// The bell's popover, with a group: five applications to one job within the hour are one entry.
await acme.page.goto(`${base}/employer/jobs/`);
await acme.page.getByTestId("ws-status").getByText("connected").waitFor();
for (const name of ["grace", "linus", "margaret", "ken", "barbara"]) {
  await api(admin.page, "POST", "/api/notifications/", {
    username: "acme",
    title: "New application: Senior Rust Engineer",
    message: `${name} applied to Senior Rust Engineer at Acme.`,
    notification_type: "application",
    group_key: "job:screenshot:applications",
  });
}
await acme.page.getByTestId("toast-count").getByText("5").waitFor();
await acme.page.getByTestId("bell").click();
await acme.page.getByTestId("inbox-popover").waitFor();
await acme.page.waitForTimeout(300);
await acme.page.screenshot({ path: `${out}inbox-popover.png` });

await ada.page.goto(`${base}/settings/notifications`);
await ada.page.getByTestId("preferences").waitFor();
await ada.page.getByLabel("Sound for messages").check();
await ada.page.waitForTimeout(400);
await ada.page.screenshot({ path: `${out}notification-settings.png` });

// A phone: one row of top bar, the menu open.
const phone = await signedIn(browser, "grace", { width: 390, height: 844 });
await phone.page.goto(`${base}/`);
await phone.page.getByTestId("ws-status").getByText("connected").waitFor();
await phone.page.screenshot({ path: `${out}mobile.png` });
await phone.page.getByTestId("menu-toggle").click();
await phone.page.screenshot({ path: `${out}mobile-menu.png` });

const dark = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: "dark" });
const darkPage = await dark.newPage();
await darkPage.goto(`${base}/login`);
await darkPage.screenshot({ path: `${out}sign-in-dark.png` });

await api(admin.page, "PATCH", `/api/global-notifications/${global.id}/`, { is_active: false });
await browser.close();
