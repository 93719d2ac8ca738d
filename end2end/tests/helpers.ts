import { APIRequestContext, Page, expect, request } from "@playwright/test";
import { baseURL } from "../playwright.config";

/** The demo accounts `herald serve --demo` creates. */
export const DEMO_PASSWORD = "herald-demo";

let counter = 0;
/** A user name no other test uses. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

/** An API client signed in as the demo admin (of the suite's server, or of the one at `base`). */
export async function adminApi(base = baseURL): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL: base });
  const response = await api.post("/api/auth/login/", {
    data: { username: "admin", password: DEMO_PASSWORD },
  });
  expect(response.status()).toBe(200);
  return api;
}

/** Sends `username` a notification as the demo admin. */
export async function notify(username: string, title: string, extra: Record<string, unknown> = {}, base = baseURL) {
  const api = await adminApi(base);
  const response = await api.post("/api/notifications/", { data: { username, title, ...extra } });
  expect(response.status()).toBe(201);
  const body = await response.json();
  await api.dispose();
  return body;
}

export async function signUp(page: Page, username: string, password: string, role = "jobseeker") {
  await page.goto("/register");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.locator(`input[name=role][value=${role}]`).check();
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.getByTestId("whoami")).toContainText(username);
}

export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("whoami")).toContainText(username);
}
