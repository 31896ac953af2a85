import { expect, test } from "@playwright/test";
import { LAB_URL } from "../playwright.config";

test.use({ baseURL: LAB_URL, storageState: { cookies: [], origins: [] } });

test("with FLEETSCOPE_AUTH=off there is no login, everyone is the lab's admin, and every page says so", async ({ page, request }) => {
  await page.goto("/");
  await expect(page).toHaveURL(`${LAB_URL}/`);
  await expect(page.getByTestId("auth-off")).toHaveText("auth off");
  await expect(page.getByTestId("connection")).toHaveAttribute("data-state", "connected");
  await page.goto("/topics");
  await expect(page.getByTestId("auth-off")).toBeVisible();
  await expect(page.getByRole("region", { name: "Publish" })).toBeVisible();
  expect(await (await request.get("/api/auth/me")).json()).toEqual({ username: "lab", role: "admin", auth: "off" });
});
