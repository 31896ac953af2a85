import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { asEpochMs } from "../devices/model";
import { createFleetStore } from "../state/fleet-store";
import type { StoredMessage } from "../store/types";
import { pastAt } from "../state/past-view";
import { createPlayer } from "./player";
import { createReplayHandle } from "./replay-handle";
import type { PastApi } from "./past-session";

const T0 = 1_800_000_000_000;
const status = (ts: number, payload: string): StoredMessage => ({ ts: asEpochMs(ts), topic: "fleet/plant-a/arm-01/status", qos: 1, retain: false, payload, encoding: "utf8", seq: null, truncated: false });

/** The stored messages, served as GET /api/messages?order=asc serves them: a page at a time, after `from` or a cursor. */
function storeOf(messages: StoredMessage[], pageSize: number) {
  const asked: string[] = [];
  const api: Pick<PastApi, "listMessages"> = {
    listMessages: async (query) => {
      const q = new URLSearchParams(query);
      asked.push(`/api/messages?${q}`);
      const start = q.get("cursor") ? Number(q.get("cursor")) : messages.findIndex((m) => m.ts >= Number(q.get("from")));
      const from = start < 0 ? messages.length : start;
      const page = messages.slice(from, from + pageSize);
      return { messages: page, next: from + pageSize < messages.length ? String(from + pageSize) : null };
    },
  };
  return { api, asked };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(T0 + 60_000);
});
afterEach(() => vi.useRealTimers());

it("plays stored messages into the fleet store at 10×, a page at a time, and stops at the present", async () => {
  const fleet = createFleetStore("ws://x/mqtt", [], pastAt(T0));
  const handle = createReplayHandle(() => null);
  const messages = [status(T0 + 1000, "offline"), status(T0 + 3000, "online"), status(T0 + 20_000, "offline")];
  const { api, asked } = storeOf(messages, 2);
  const player = createPlayer(fleet, handle, api);
  player.play(10);
  expect(fleet.getState().past?.playing).toBe(10);
  // 0.15 s of wall time is 1.5 s stored: the first message is due, the second not yet.
  await vi.advanceTimersByTimeAsync(150);
  await vi.advanceTimersByTimeAsync(20); // the frame batcher's flush
  expect(fleet.getState().devices.get("arm-01")?.status).toBe("offline");
  expect(fleet.getState().past?.cursor).toBeGreaterThanOrEqual(T0 + 1500);
  await vi.advanceTimersByTimeAsync(200);
  expect(fleet.getState().devices.get("arm-01")?.status).toBe("online");
  // The third came on the second page, asked for by the first page's cursor.
  await vi.advanceTimersByTimeAsync(2000);
  expect(fleet.getState().devices.get("arm-01")?.status).toBe("offline");
  expect(asked[0]).toContain(`from=${T0 + 1}`);
  expect(asked.some((u) => u.includes("cursor=2"))).toBe(true);
  // A minute stored, at 10×: six wall seconds reach the present, and playback says so.
  await vi.advanceTimersByTimeAsync(10_000);
  expect(fleet.getState().past).toMatchObject({ playing: null, stopped: "Playback reached the present." });
  player.dispose();
});

it("steps to the next stored message and stops there", async () => {
  const fleet = createFleetStore("ws://x/mqtt", [], pastAt(T0));
  const { api } = storeOf([status(T0 + 4000, "offline"), status(T0 + 9000, "online")], 10);
  const player = createPlayer(fleet, createReplayHandle(() => null), api);
  await player.step();
  await vi.advanceTimersByTimeAsync(20);
  expect(fleet.getState().past).toMatchObject({ cursor: T0 + 4000, playing: null });
  expect(fleet.getState().devices.get("arm-01")?.status).toBe("offline");
  await player.step();
  expect(fleet.getState().past?.cursor).toBe(T0 + 9000);
  player.dispose();
});
