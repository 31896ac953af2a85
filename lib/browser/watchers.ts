/**
 * Extra subscriptions on the tab's one MQTT connection (the topic explorer's `#`, say), each with
 * its own frame batcher. The feed asks `route` where a message goes; the connection subscribes
 * and unsubscribes through the callbacks, and a filter the live feed needs is never unsubscribed.
 */
import { createFrameBatcher, type FrameBatcher } from "../state/frame-batcher";
import { topicMatches } from "../mqtt/topic";
import type { TopicMessage } from "../topics/tree";
import type { WatchHandlers, WatchState } from "../state/connection";


interface Watch {
  filter: string;
  batcher: FrameBatcher<TopicMessage>;
  handlers: WatchHandlers;
}

export interface SubscriptionPort {
  subscribe(filter: string, done: (error: string | null) => void): void;
  unsubscribe(filter: string): void;
  connected(): boolean;
}

export class Watchers {
  private readonly watches = new Set<Watch>();

  constructor(
    private readonly port: SubscriptionPort,
    /** Filters the live feed subscribes to itself (it changes them in place when the conventions change). */
    private readonly permanent: readonly string[],
  ) {}

  /** Whether a watch holds this filter's subscription. */
  watching(filter: string): boolean {
    for (const w of this.watches) if (w.filter === filter) return true;
    return false;
  }

  get size(): number {
    return this.watches.size;
  }

  add(filter: string, handlers: WatchHandlers): () => void {
    const watch: Watch = { filter, handlers, batcher: createFrameBatcher(handlers.onBatch) };
    this.watches.add(watch);
    this.subscribe(watch);
    return () => {
      this.watches.delete(watch);
      watch.batcher.dispose();
      const stillUsed = this.permanent.includes(filter) || [...this.watches].some((w) => w.filter === filter);
      if (!stillUsed && this.port.connected()) this.port.unsubscribe(filter);
    };
  }

  /** After every (clean-session) connect: subscriptions do not survive it. */
  resubscribe(): void {
    for (const w of this.watches) this.subscribe(w);
  }

  private subscribe(watch: Watch) {
    if (!this.port.connected()) return; // resubscribe() runs at the next connect
    watch.handlers.onState({ state: "subscribing" });
    this.port.subscribe(watch.filter, (error) => {
      if (!this.watches.has(watch)) return;
      watch.handlers.onState(error ? { state: "error", error } : { state: "subscribed" });
    });
  }

  route(message: TopicMessage): void {
    for (const w of this.watches) if (matchesWatch(w.filter, message.topic)) w.batcher.push(message);
  }

  dispose(): void {
    for (const w of this.watches) w.batcher.dispose();
    this.watches.clear();
  }
}

/** `#`, the explorer's default, without splitting a topic per message (at 20,000 msgs/s that showed). */
function matchesWatch(filter: string, topic: string): boolean {
  // A leading wildcard does not match $ topics [MQTT-4.7.2-1].
  return filter === "#" ? !topic.startsWith("$") : topicMatches(filter, topic);
}
