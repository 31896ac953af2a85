/**
 * The subscriptions of persistent sessions (clean session off), held in memory because every QoS 1
 * and 2 PUBLISH asks which sessions to queue it for. The SQLite persistence writes each change
 * through and loads them back at start. Pure: the rules are aedes-persistence's (its in-memory
 * implementation and abstract suite): a QoS 0 subscription is kept for the session but queues
 * nothing offline, and a client with no subscription left is no longer counted.
 */
import { SubscriptionTrie, type MatchedSubscription } from "./subscription-trie";

/** A subscription as a SUBSCRIBE carries it (mqtt-packet `ISubscription`, and MQTT 5's identifier). */
export interface SubscriptionRequest {
  topic: string;
  qos: number;
  rh?: number;
  rap?: boolean;
  nl?: boolean;
  subscriptionIdentifier?: number;
}

/** What is stored per (client, filter); the identifier only when there is one. */
export interface SubscriptionOptions {
  qos: number;
  rh: number | undefined;
  rap: boolean | undefined;
  nl: boolean | undefined;
  subscriptionIdentifier?: number;
}

export type RestoredSubscription = { topic: string } & SubscriptionOptions;

export function optionsOf(sub: SubscriptionRequest): SubscriptionOptions {
  const options: SubscriptionOptions = { qos: sub.qos, rh: sub.rh, rap: sub.rap, nl: sub.nl };
  if (sub.subscriptionIdentifier !== undefined) options.subscriptionIdentifier = sub.subscriptionIdentifier;
  return options;
}

export class SessionSubscriptions {
  private readonly byClient = new Map<string, Map<string, SubscriptionOptions>>();
  private readonly trie = new SubscriptionTrie();

  /** Adds or replaces; the last of several entries for one filter wins. */
  add(clientId: string, topic: string, options: SubscriptionOptions): void {
    let stored = this.byClient.get(clientId);
    if (!stored) this.byClient.set(clientId, (stored = new Map()));
    if (options.qos > 0) {
      this.trie.add({ clientId, topic, qos: options.qos, rh: options.rh, rap: options.rap, nl: options.nl });
    } else if ((stored.get(topic)?.qos ?? 0) > 0) {
      this.trie.remove(clientId, topic);
    }
    stored.set(topic, options);
  }

  remove(clientId: string, topic: string): void {
    const stored = this.byClient.get(clientId);
    const options = stored?.get(topic);
    if (!stored || !options) return;
    if (options.qos > 0) this.trie.remove(clientId, topic);
    stored.delete(topic);
    if (stored.size === 0) this.byClient.delete(clientId);
  }

  clean(clientId: string): void {
    const stored = this.byClient.get(clientId);
    if (!stored) return;
    for (const [topic, options] of stored) if (options.qos > 0) this.trie.remove(clientId, topic);
    this.byClient.delete(clientId);
  }

  ofClient(clientId: string): RestoredSubscription[] {
    return Array.from(this.byClient.get(clientId) ?? [], ([topic, options]) => ({ topic, ...options }));
  }

  /** The sessions a PUBLISH to `topic` is queued for: QoS 1 and 2 subscriptions only. */
  matching(topic: string): MatchedSubscription[] {
    return this.trie.match(topic);
  }

  /** The clients subscribed to exactly this filter, at any QoS. */
  clientsWith(topic: string): string[] {
    const ids: string[] = [];
    for (const [clientId, stored] of this.byClient) if (stored.has(topic)) ids.push(clientId);
    return ids;
  }

  counts(): { subsCount: number; clientsCount: number } {
    return { subsCount: this.trie.size, clientsCount: this.byClient.size };
  }
}
