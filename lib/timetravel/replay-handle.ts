/**
 * The tab's MQTT handle while it shows the past: pages watch topic filters on it as they do on
 * the live connection (lib/browser/live-feed.ts), but what arrives is the store's: first each
 * topic's last message as of the cursor, then what playback replays, each watch through its own
 * frame batcher. Publishing and the tab's own packet trace stay on the live connection: they
 * happen now, whatever moment is shown.
 */
import type { MqttHandle } from "../state/connection";
import { topicMatches } from "../mqtt/topic";
import type { WatchHandlers } from "../state/connection";
import { createFrameBatcher, type FrameBatcher } from "../state/frame-batcher";
import type { TopicMessage } from "../topics/tree";

interface Watch {
  filter: string;
  batcher: FrameBatcher<TopicMessage>;
}

export interface ReplayHandle extends MqttHandle {
  /** Messages from the store, in receipt order: each topic's last as of the cursor, then those played. */
  route(messages: readonly TopicMessage[]): void;
  dispose(): void;
}

export function createReplayHandle(live: () => MqttHandle | null): ReplayHandle {
  const watches = new Set<Watch>();
  // The latest message per topic, so a watch added mid-playback starts from where the view is.
  const latest = new Map<string, TopicMessage>();
  const unavailable = () => Promise.reject(new Error("not connected to the broker"));
  return {
    watch(filter: string, handlers: WatchHandlers) {
      const w: Watch = { filter, batcher: createFrameBatcher(handlers.onBatch) };
      watches.add(w);
      handlers.onState({ state: "subscribed" });
      for (const m of latest.values()) if (topicMatches(filter, m.topic)) w.batcher.push(m);
      return () => {
        watches.delete(w);
        w.batcher.dispose();
      };
    },
    publish: (topic, payload, opts) => live()?.publish(topic, payload, opts) ?? unavailable(),
    trace: (onBatch) => live()?.trace(onBatch) ?? (() => undefined),
    route(messages) {
      for (const played of messages) {
        // A played message counts on from its topic's snapshot count, so a watch added later starts from the count the view shows.
        const before = latest.get(played.topic)?.count;
        const m = played.count === undefined && before !== undefined ? { ...played, count: before + 1 } : played;
        latest.set(m.topic, m);
        for (const w of watches) if (topicMatches(w.filter, m.topic)) w.batcher.push(m);
      }
    },
    dispose() {
      for (const w of watches) w.batcher.dispose();
      watches.clear();
    },
  };
}
