// Signing in and what the console says when it cannot go on: a wrong password, a session the API
// no longer takes, a view for another group.
import { expect, test } from "@playwright/test";
import { PASSWORD, freshPage, shots, signIn, USERS } from "./support";
import { totp } from "./totp";

test("a wrong password is refused in words", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto("/console/signin");
  await page.getByLabel("Email").fill(USERS.client ?? "client@example.com");
  await page.getByLabel("Password").fill("not-the-password-1A");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText(/Wrong email or password/);
  await shots(page, "signin");
});

test("a session the API refuses ends with a message and the sign-in form", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "staff", "/console/walkin/desk");
  // The token's signature no longer holds (as after a revocation); the refresh is not due.
  await page.evaluate(() => {
    const session = JSON.parse(sessionStorage.getItem("console.session") ?? "{}");
    session.idToken = `${session.idToken}x`;
    sessionStorage.setItem("console.session", JSON.stringify(session));
  });
  await page.reload();
  await page.getByRole("button", { name: "Call next" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to continue" })).toBeVisible();
  await page.getByRole("link", { name: "Sign in" }).first().click();
  await expect(page.getByRole("status")).toHaveText(/session has expired/);
});

test("a view for another group says so and offers nothing", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "client", "/console/walkin/desk");
  await expect(page.getByRole("heading", { name: "Not available to you" })).toBeVisible();
  await expect(page.getByText(/for the staff group/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Call next" })).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "Views" }).getByRole("link", { name: "Desk" })).toHaveCount(0);
});

test("the start page offers what the user's groups allow, and deep links load", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto("/console/walkin/board");
  await expect(page.getByRole("heading", { level: 1, name: "Queue" })).toBeVisible();
  await signIn(page, "staff");
  await expect(page.getByRole("heading", { level: 1, name: "Service console" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Desk/ }).first()).toBeVisible();
  await shots(page, "home");
  await page.goto("/console/no/such/view");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
});

test("a user enrols an authenticator app and is asked for its code at the next sign-in", async ({ browser }) => {
  const page = await freshPage(browser);
  await signIn(page, "mfa", "/console/account");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  const secret = (await page.locator("code.secret").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^[A-Z2-7]+=*$/i);
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-step sign-in" }).click();
  await expect(page.getByRole("status")).toHaveText(/Two-step sign-in is on/);
  await shots(page, "account");
  await page.getByRole("button", { name: "Sign out" }).click();

  await page.goto("/console/signin");
  await page.getByLabel("Email").fill(USERS.mfa ?? "");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Code from your authenticator app").fill("000000");
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("alert")).toContainText("not right");
  await page.getByLabel("Code from your authenticator app").fill(totp(secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Service console" })).toBeVisible();
});
