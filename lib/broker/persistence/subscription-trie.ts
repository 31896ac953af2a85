/**
 * Persistent sessions' QoS 1 and 2 subscriptions by filter, one trie level per topic level, so a
 * PUBLISH finds the sessions to queue it for in time proportional to its topic's depth, not to the
 * number of subscriptions. Pure: no I/O.
 *
 * Matching follows lib/mqtt/topic.ts `topicMatches`: `#` also matches the parent level
 * [MQTT-4.7.1-2], `+` matches one level, empty ones included [MQTT-4.7.1-3], and a filter starting
 * with a wildcard does not match a topic starting with `$` [MQTT-4.7.2-1]. Results come `#` first,
 * then the exact level, then `+`, at each level: the order aedes' in-memory persistence returns.
 */

/** What aedes asks of a matched subscription (aedes-persistence `subscriptionsByTopic`). */
export interface MatchedSubscription {
  clientId: string;
  topic: string;
  qos: number;
  rh: number | undefined;
  rap: boolean | undefined;
  nl: boolean | undefined;
}

interface Node {
  children: Map<string, Node>;
  /** The subscriptions whose filter ends at this node, by client. */
  subs: Map<string, MatchedSubscription>;
}

const node = (): Node => ({ children: new Map(), subs: new Map() });

export class SubscriptionTrie {
  private readonly root = node();
  private count = 0;

  /** How many (client, filter) pairs are held. */
  get size(): number {
    return this.count;
  }

  /** Adds or replaces `sub.clientId`'s subscription to `sub.topic`. */
  add(sub: MatchedSubscription): void {
    let at = this.root;
    for (const level of sub.topic.split("/")) {
      let next = at.children.get(level);
      if (!next) at.children.set(level, (next = node()));
      at = next;
    }
    if (!at.subs.has(sub.clientId)) this.count++;
    at.subs.set(sub.clientId, sub);
  }

  remove(clientId: string, filter: string): void {
    const path: [Node, string][] = [];
    let at: Node | undefined = this.root;
    for (const level of filter.split("/")) {
      const next: Node | undefined = at.children.get(level);
      if (!next) return;
      path.push([at, level]);
      at = next;
    }
    if (!at.subs.delete(clientId)) return;
    this.count--;
    // Prune the branch back to the last node still in use.
    for (let i = path.length - 1; i >= 0; i--) {
      const [parent, level] = path[i]!;
      const child = parent.children.get(level)!;
      if (child.subs.size > 0 || child.children.size > 0) break;
      parent.children.delete(level);
    }
  }

  /** Every subscription whose filter matches the topic name `topic`. */
  match(topic: string): MatchedSubscription[] {
    const levels = topic.split("/");
    const out: MatchedSubscription[] = [];
    const system = topic.startsWith("$");
    const visit = (at: Node, i: number) => {
      const wildcards = i > 0 || !system; // [MQTT-4.7.2-1]
      const rest = at.children.get("#");
      if (rest && wildcards) for (const s of rest.subs.values()) out.push(s);
      if (i === levels.length) {
        for (const s of at.subs.values()) out.push(s);
        return;
      }
      const level = levels[i]!;
      const exact = level === "+" || level === "#" ? undefined : at.children.get(level);
      if (exact) visit(exact, i + 1);
      const one = at.children.get("+");
      if (one && wildcards) visit(one, i + 1);
    };
    visit(this.root, 0);
    return out;
  }
}
