/**
 * Playback: the store's messages after the cursor, fetched in order a page at a time
 * (GET /api/messages?order=asc) and applied when the playback clock (lib/timetravel/
 * playback-clock.ts) reaches them, through a frame batcher into `applyBatch` and the replay
 * handle's watches: the path live messages take, so every view updates as it does live.
 */
import { createFrameBatcher } from "../state/frame-batcher";
import type { FleetStore } from "../state/fleet-store";
import type { LiveMessage } from "../state/live-devices";
import type { PastApi } from "./past-session";
import type { Speed } from "../state/past-view";
import { stepTarget, tick, type PlayClock } from "./playback-clock";
import type { ReplayHandle } from "./replay-handle";
import type { TopicMessage } from "../topics/tree";
import { toLive, type PlayedMessage } from "./stored-message";

const PAGE = 1000;
const TICK_MS = 50;
/** The store said it had no more this long ago: ask again, for what was stored meanwhile. */
const RECHECK_MS = 2000;
/** Applied messages are dropped from the queue's head past this many. */
const COMPACT_AT = 10_000;

export interface Player {
  play(speed: Speed): void;
  pause(): void;
  /** Applies the next stored message (or a second of quiet) and stops there. */
  step(): Promise<void>;
  dispose(): void;
}

export function createPlayer(store: FleetStore, handle: ReplayHandle, api: Pick<PastApi, "listMessages">, now: () => number = Date.now): Player {
  const s = () => store.getState();
  // Counted where the live feed counts what it applies (lib/browser/live-feed.ts): the overview's benches read it.
  const stats = (globalThis.fleetscopeStats ??= { processed: 0 });
  const batcher = createFrameBatcher<LiveMessage>((batch) => {
    s().applyBatch(batch);
    stats.processed += batch.length;
  });
  let queue: PlayedMessage[] = [];
  let applied = 0;
  let next: string | null = null;
  let exhaustedAt: number | null = null;
  let fetching = false;
  let clock: PlayClock | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const abort = new AbortController();

  const cursor = () => s().past?.cursor ?? now();
  const fetchPage = async () => {
    fetching = true;
    try {
      const q = new URLSearchParams({ topic: "#", order: "asc", limit: String(PAGE) });
      if (next) q.set("cursor", next);
      // The snapshot holds everything up to the cursor; playback starts just after it.
      else q.set("from", String(Math.floor((queue[queue.length - 1]?.ts ?? cursor()) + 1)));
      const page = await api.listMessages(q, abort.signal);
      queue.push(...page.messages);
      next = page.next;
      exhaustedAt = page.next === null ? now() : null;
    } catch (err) {
      if (abort.signal.aborted) return;
      stop(`Playback stopped: could not read stored messages (${err instanceof Error ? err.message : String(err)}).`);
    } finally {
      fetching = false;
    }
  };
  const apply = (end: number) => {
    if (end <= applied) return;
    const due = queue.slice(applied, end);
    applied = end;
    const topics = new Array<TopicMessage>(due.length);
    // Each payload decoded once, for both paths: playback at 60× of a busy stretch is many a frame.
    for (let i = 0; i < due.length; i++) {
      const m = due[i]!;
      const live = toLive(m);
      batcher.push(live);
      topics[i] = { topic: m.topic, payload: live.bytes, qos: m.qos, retain: m.retain, ts: m.ts };
    }
    handle.route(topics);
    if (applied >= COMPACT_AT) {
      queue = queue.slice(applied);
      applied = 0;
    }
  };
  const stop = (why: string | null) => {
    if (timer) clearInterval(timer);
    timer = null;
    clock = null;
    s().setPast({ playing: null, stopped: why });
  };
  const onTick = () => {
    if (!clock) return;
    const exhausted = exhaustedAt !== null && now() - exhaustedAt < RECHECK_MS;
    const t = tick(queue, applied, clock, now(), { exhausted, fetching, until: now() });
    apply(t.end);
    s().setPast({ cursor: t.at });
    if (t.fetch) void fetchPage();
    if (t.done) stop("Playback reached the present.");
  };
  return {
    play(speed) {
      if (timer) clearInterval(timer);
      clock = { fromAt: cursor(), fromWall: now(), speed };
      s().setPast({ playing: speed, stopped: null });
      timer = setInterval(onTick, TICK_MS);
      onTick();
    },
    pause: () => stop(null),
    async step() {
      stop(null);
      if (queue.length - applied === 0) await fetchPage();
      const at = stepTarget(queue[applied], cursor(), now());
      const end = applied < queue.length && queue[applied]!.ts <= at ? applied + 1 : applied;
      apply(end);
      s().setPast({ cursor: at });
    },
    dispose() {
      abort.abort();
      if (timer) clearInterval(timer);
      batcher.dispose();
    },
  };
}
