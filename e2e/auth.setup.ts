/**
 * Runs once before the other tests: logs in as the admin that FLEETSCOPE_ADMIN_PASSWORD made,
 * saves that session for every other test (playwright.config.ts, storageState), and adds the
 * viewer and operator accounts through the API as an admin would.
 */
import { expect, test as setup } from "@playwright/test";
import { ADMIN_STATE, E2E_USERS } from "../playwright.config";

setup("log in as the admin and add a viewer and an operator", async ({ request }) => {
  const login = await request.post("/api/auth/login", { data: E2E_USERS.admin });
  expect(login.status()).toBe(200);
  for (const role of ["viewer", "operator"] as const) {
    const res = await request.post("/api/users", { data: { ...E2E_USERS[role], role } });
    expect(res.status()).toBe(201);
  }
  await request.storageState({ path: ADMIN_STATE });
});
