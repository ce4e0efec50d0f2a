// What the browser tests share: the users the harness made, signing in through the console's own
// form, and screenshots of a view at phone and desktop widths (looked at by people, not compared).
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";

export const PASSWORD = process.env.CONSOLE_PASSWORD ?? "Local-demo-1";
export const USERS: Record<string, string> = JSON.parse(process.env.CONSOLE_USERS ?? "{}");
const SHOTS = process.env.CONSOLE_SCREENSHOTS ?? "test-results/screenshots";

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 860 };

/** A page in a context of its own: another device (its own storage). */
export async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.CONSOLE_BASE_URL ?? "http://127.0.0.1:9000", viewport: DESKTOP });
  return context.newPage();
}

/** Signs `who` in through the console's own form and lands on `next`. */
export async function signIn(page: Page, who: string, next = "/console/") {
  const email = USERS[who] ?? who;
  await page.goto(`/console/signin?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next);
}

/** The view as it is now, at phone and at desktop width. */
export async function shots(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize() ?? DESKTOP;
  for (const [label, viewport] of [["phone", PHONE], ["desktop", DESKTOP]] as const) {
    await page.setViewportSize(viewport);
    await page.screenshot({ path: `${SHOTS}/${name}-${label}.png`, fullPage: true });
  }
  await page.setViewportSize(size);
}

/** The date input's value for `days` from now. */
export function dayFromNow(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** What the harness (tests/console.rs) published before the browser started. */
export const FIXTURES: {
  history_phrase: string;
  history_days: number;
  analytics: { start: string; end: string; count: number; total: string; top: string };
} = JSON.parse(process.env.CONSOLE_FIXTURES ?? "null") ?? {
  history_phrase: "console desk lamp",
  history_days: 10,
  analytics: { start: "2024-03-01", end: "2024-03-07", count: 0, total: "0.00", top: "" },
};

/** "$1,234.50" as the console writes dollars. */
export function dollars(amount: string): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(Number(amount));
}
