import { expect, it } from "vitest";
import { MAX_RETRY_MS, reconnectDelay } from "./backoff";

it("doubles the reconnect delay per attempt up to a ceiling", () => {
  expect([0, 1, 2, 3].map(reconnectDelay)).toEqual([1000, 2000, 4000, 8000]);
  expect(reconnectDelay(20)).toBe(MAX_RETRY_MS);
});
