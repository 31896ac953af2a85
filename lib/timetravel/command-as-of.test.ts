import { expect, it } from "vitest";
import type { Command } from "../commands/lifecycle";
import { commandAsOf } from "./command-as-of";

const command = {
  id: "c1",
  state: "succeeded",
  transitions: [
    { state: "queued", at: 100 },
    { state: "sent", at: 110 },
    { state: "delivered", at: 120 },
    { state: "succeeded", at: 400 },
  ],
  events: [{ at: 400, type: "reply", effect: "succeeded" }],
  result: { ok: true },
} as unknown as Command;

it("says where a command's lifecycle stood at a past moment", () => {
  const then = commandAsOf(command, 200);
  expect(then.state).toBe("delivered");
  expect(then.transitions.map((t) => t.state)).toEqual(["queued", "sent", "delivered"]);
  expect(then.events).toEqual([]);
  expect(then.result).toBeUndefined();
});

it("leaves a command finished by then as it is", () => {
  expect(commandAsOf(command, 400)).toBe(command);
  expect(commandAsOf(command, 1e12)).toBe(command);
});
