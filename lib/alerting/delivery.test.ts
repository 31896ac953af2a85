import { describe, expect, it } from "vitest";
import { GIVE_UP_AFTER_MS, nextAttemptAt, RETRY_MAX_MS } from "./delivery";

describe("webhook retries", () => {
  it("wait 1 s after the first failure, doubling to at most 5 minutes", () => {
    const delays = Array.from({ length: 12 }, (_, i) => nextAttemptAt(0, i + 1, 0)! - 0);
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, RETRY_MAX_MS, RETRY_MAX_MS, RETRY_MAX_MS]);
  });

  it("give up once the next try would come more than a day after the notification was made", () => {
    expect(nextAttemptAt(0, 300, GIVE_UP_AFTER_MS - RETRY_MAX_MS)).toBe(GIVE_UP_AFTER_MS);
    expect(nextAttemptAt(0, 300, GIVE_UP_AFTER_MS - RETRY_MAX_MS + 1)).toBeNull();
  });
});
