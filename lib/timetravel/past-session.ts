/**
 * Fills a past store (one made for a `?at=` cursor) from the server's store: the devices as they
 * were (GET /api/snapshot), each topic's last message then (its pages, up to a cap the view says it
 * hit), the alarms, logs and status changes of the hour before, for the event feeds, and then the
 * overview cards' sparklines up to it (past-sparklines.ts). The
 * live connection never writes to this store, so nothing of the present leaks into the view.
 */
import type { getSeries } from "../api-client/devices";
import type { getSnapshot, listMessages } from "../api-client/messages";
import type { StoredMessage } from "../store/types";
import type { FleetStore } from "../state/fleet-store";
import { ALARM_WINDOW_MS } from "../state/device-events";
import type { ReplayHandle } from "./replay-handle";
import { loadPastSparklines } from "./past-sparklines";
import { toLive, toTopic } from "./stored-message";

/** The endpoints a past view reads (lib/api-client), passed in: the tests serve them from memory. */
export interface PastApi {
  getSnapshot: typeof getSnapshot;
  listMessages: typeof listMessages;
  getSeries: typeof getSeries;
}

/** Topics the tab holds as of the cursor; a larger tree is cut here, and the banner says so. */
export const MAX_PAST_TOPICS = 20_000;
const TOPIC_PAGE = 1000;
const EVENT_TOPICS = ["fleet/+/+/alarm", "fleet/+/+/log", "fleet/+/+/status"];
const EVENTS_PER_KIND = 1000;

export async function loadPast(store: FleetStore, handle: ReplayHandle, at: number, api: PastApi, signal: AbortSignal): Promise<void> {
  const s = () => store.getState();
  try {
    let loaded = 0;
    let cursor: string | null = null;
    let first = true;
    while (first || (cursor && loaded < MAX_PAST_TOPICS)) {
      const q = new URLSearchParams({ at: String(at), limit: String(TOPIC_PAGE) });
      if (cursor) q.set("cursor", cursor);
      const page = await api.getSnapshot(q, signal);
      if (first) s().loadKnown(page.devices);
      first = false;
      handle.route(page.topics.items.map(toTopic));
      loaded += page.topics.items.length;
      cursor = page.topics.next;
      s().setPast({ topics: { count: page.topics.count, loaded } });
    }
    // The feeds' events up to the cursor: read apart from the view's conventions, as live backfill is.
    const events: StoredMessage[] = [];
    for (const topic of EVENT_TOPICS) {
      const q = new URLSearchParams({ topic, from: String(Math.max(0, at - ALARM_WINDOW_MS)), to: String(at), limit: String(EVENTS_PER_KIND) });
      events.push(...(await api.listMessages(q, signal)).messages);
    }
    s().loadEvents(events.map(toLive));
    s().setPast({ state: "loaded", error: null });
    // After the view is usable: a thousand cards' curves take a while, and playback may begin meanwhile.
    const sparklines = await loadPastSparklines(store, at, api, signal);
    if (sparklines !== null) s().setPast({ sparklines });
  } catch (err) {
    if (signal.aborted) return;
    s().setPast({ state: "error", error: err instanceof Error ? err.message : String(err) });
    s().knownFailed(err instanceof Error ? err.message : String(err));
  }
}
