import { expect, it } from "vitest";
import { parseTraceParams } from "./trace-params";

it("reads the trace filters, with a backlog of 200 by default", () => {
  expect(parseTraceParams(new URLSearchParams("device=arm-01&type=publish,puback&qos=1"))).toEqual({
    ok: true,
    query: { device: "arm-01", type: ["publish", "puback"], qos: 1, backlog: 200 },
  });
});

it.each([
  ["backlog=5000", /^backlog: must be at most 1000/],
  ["backlog=1.5", /^backlog: must be a whole number/],
  ["backlog=lots", /^backlog: must be a number/],
])("names a wrong backlog in words like the other routes' (%s)", (query, message) => {
  const parsed = parseTraceParams(new URLSearchParams(query));
  expect(parsed.ok).toBe(false);
  expect(!parsed.ok && parsed.message).toMatch(message);
});
