import { expect, test, type Page } from "@playwright/test";
import { E2E_USERS } from "../playwright.config";

// These tests log in themselves: no saved session.
test.use({ storageState: { cookies: [], origins: [] } });

async function logIn(page: Page, who: { username: string; password: string }, from = "/") {
  await page.goto(from);
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("Username").fill(who.username);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Log in" }).click();
}

test("a page opened without a session goes to the login page and comes back after logging in", async ({ page }) => {
  await logIn(page, E2E_USERS.viewer, "/devices/arm-02?range=5m");
  await expect(page).toHaveURL(/\/devices\/arm-02\?range=5m$/);
  await expect(page.getByTestId("user")).toHaveText(E2E_USERS.viewer.username);
});

test("a wrong password is refused with a message, and no session", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Username").fill(E2E_USERS.viewer.username);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("form", { name: "Log in" }).getByRole("alert")).toHaveText("wrong username or password");
  expect((await page.request.get("/api/auth/me")).status()).toBe(401);
});

test("a used or wrong setup link opens the login form and says why, not a setup form that fails", async ({ page }) => {
  // This server made its admin from FLEETSCOPE_ADMIN_PASSWORD: no setup link is valid.
  await page.goto("/login?setup=not-the-token");
  await expect(page.getByTestId("login-notice")).toContainText("This setup link has been used");
  await expect(page.getByRole("form", { name: "Log in" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Set up" })).toHaveCount(0);
});

test("a viewer sees the fleet live but gets no publish tool, and logging out ends the session", async ({ page }) => {
  await logIn(page, E2E_USERS.viewer);
  await expect(page.getByTestId("role")).toHaveText("viewer");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await expect(page.getByTestId("device-card").first()).toBeVisible();
  await page.getByRole("link", { name: "Topics" }).click();
  await expect(page.getByTestId("publish-not-allowed")).toBeVisible();
  await expect(page.getByRole("region", { name: "Publish" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: /command/i })).toHaveCount(0);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect((await page.request.get("/api/auth/me")).status()).toBe(401);
  await page.goto("/topics");
  await expect(page).toHaveURL(/\/login\?next=%2Ftopics$/);
});

test("an operator publishes from the topic tool, and the broker delivers it", async ({ page }) => {
  await logIn(page, E2E_USERS.operator, "/topics");
  await expect(page).toHaveURL(/\/topics$/);
  await expect(page.getByTestId("role")).toHaveText("operator");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  const publish = page.getByRole("region", { name: "Publish" });
  await publish.getByRole("textbox", { name: "Topic to publish" }).fill("lab/e2e/operator");
  await publish.getByRole("textbox", { name: "Payload" }).fill("sent by an operator");
  await publish.getByLabel("QoS").selectOption("1");
  await publish.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(publish.getByRole("status", { name: "Publish result" })).toContainText("Published at QoS 1: PUBACK received");
  await page.getByLabel("Search topics").fill("lab/e2e/operator");
  await expect(page.locator('[data-topic="lab/e2e/operator"]')).toBeVisible();
  // A command topic is the broker's to refuse, which would cut the tab off: the form says so first.
  await publish.getByRole("textbox", { name: "Topic to publish" }).fill("fleet/plant-a/arm-01/cmd/stop");
  await publish.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(publish.getByRole("alert")).toContainText("Commands panel");
  await expect(publish.getByRole("status", { name: "Publish result" })).toHaveCount(0);
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login$/);
});

test("an admin adds a user, changes its role, disables it, resets its password and enables it again on the settings page", async ({ page }) => {
  await logIn(page, E2E_USERS.admin, "/settings");
  const users = page.getByRole("region", { name: "Users" });
  const add = users.getByRole("form", { name: "Add a user" });
  await add.getByLabel("Username").fill("e2e-temp");
  await add.getByLabel("Password").fill("temporary-password");
  await add.getByLabel("Role").selectOption("viewer");
  await add.getByRole("button", { name: "Add user" }).click();
  const row = users.getByTestId("user-e2e-temp");
  await expect(row).toBeVisible();
  await row.getByLabel("role of e2e-temp").selectOption("operator");
  await expect(users.getByRole("status")).toHaveText("e2e-temp is now operator");
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("disabled");
  const login = (password: string) => page.request.post("/api/auth/login", { data: { username: "e2e-temp", password } });
  expect((await login("temporary-password")).status()).toBe(401);
  await row.getByLabel("new password for e2e-temp").fill("a-brand-new-password");
  await row.getByRole("button", { name: "Reset" }).click();
  await expect(users.getByRole("status")).toHaveText("new password for e2e-temp");
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row).toContainText("active");
  expect((await login("a-brand-new-password")).status()).toBe(200);
});

test("a viewer sees a device's commands but no form and no Stop; a command they POST is refused and recorded as theirs", async ({ page }) => {
  await logIn(page, E2E_USERS.viewer, "/devices/arm-07");
  const panel = page.getByRole("region", { name: "Commands" });
  await expect(panel.getByTestId("commands-not-allowed")).toContainText(`${E2E_USERS.viewer.username} is a viewer`);
  await expect(panel.getByRole("form", { name: "Send a command" })).toHaveCount(0);
  await expect(page.getByRole("group", { name: "Emergency stop" })).toHaveCount(0);
  const res = await page.request.post("/api/commands", { data: { device: "arm-07", name: "stop" } });
  expect(res.status()).toBe(403);
  const body = (await res.json()) as { error: { code: string }; command: { id: string; state: string; actor: string } };
  expect(body.error.code).toBe("forbidden");
  expect(body.command).toMatchObject({ state: "rejected", actor: E2E_USERS.viewer.username });
  await page.goto(`/commands?actor=${E2E_USERS.viewer.username}`);
  await expect(page.getByTestId("command-row").first()).toContainText("rejected");
});

test("an operator sends a command from the device page and the audit log names them", async ({ page }) => {
  await logIn(page, E2E_USERS.operator, "/devices/arm-07");
  const panel = page.getByRole("region", { name: "Commands" });
  await panel.getByLabel("command", { exact: true }).selectOption("move_joint");
  await panel.getByLabel(/^joint/).fill("4");
  await panel.getByLabel(/^angle/).fill("12");
  await panel.getByRole("button", { name: "Send move_joint" }).click();
  await expect(panel.getByTestId("command-lifecycle")).toHaveAttribute("data-state", "succeeded");
  await expect(panel.getByTestId("command-lifecycle")).toContainText(`by ${E2E_USERS.operator.username}`);
  await page.goto(`/commands?actor=${E2E_USERS.operator.username}&name=move_joint`);
  await expect(page.getByTestId("command-row").first()).toContainText("succeeded");
});
