/**
 * Waiting until the store has what a test published. The broker's PUBACK says the broker has a
 * message, not that the bridge has stored it. When a message never reaches the store, the error
 * says what the bridge reported then (its pending count, last error and counters, from the
 * session's /api/health), so a stall shows its cause in the test's own output.
 */
import { expect, type APIRequestContext } from "@playwright/test";

export async function untilStored(request: APIRequestContext, what: string, stored: () => Promise<boolean>, timeout = 20_000): Promise<void> {
  try {
    await expect.poll(stored, { timeout, message: `${what} is stored` }).toBe(true);
  } catch (err) {
    const health = await request.get("/api/health").then((r) => r.text(), (e: unknown) => `unreachable: ${String(e)}`);
    // The bridge's counters are in the health answer; its log lines in the servers' output files.
    throw new Error(`${what} was not stored within ${timeout} ms; /api/health then said ${health}; servers' output: ${process.env.E2E_SERVER_LOGS}`, { cause: err });
  }
}
