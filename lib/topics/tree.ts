/**
 * The topic tree the explorer shows, built incrementally from every message the browser sees:
 * per node its own message count, smoothed rate, retained flag, last payload and QoS, and totals
 * over its subtree. Pure (no I/O, time passed in), so it is tested and benchmarked without a
 * browser.
 *
 * Mutable on purpose: a broker may have 100,000 topics and a stream of 20,000 msgs/s, and copying
 * even one path of Maps per message would cost more than the message. The UI never keeps nodes in
 * React state; it reads `version` (bumped once per applied batch) and takes snapshots of the rows
 * it draws.
 */
import type { QoS } from "../store/types";
import { boundedPayload, type BoundedPayload } from "../payload/bounded";
import type { MessageProperties } from "../mqtt/message-properties";

/** Smoothing time constant of the message rates: a burst fades over about this long. */
export const RATE_TAU_MS = 5_000;

/** Marks kept for topics not seen yet; a publish to a topic outside the subscription never echoes. */
const MAX_PENDING_MARKS = 1000;

export interface TopicMessage {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
  ts: number;
  /** Its MQTT 5 properties, when it came on an MQTT 5 connection with some. */
  props?: MessageProperties;
  /** The topic's messages up to this one, when the store says (a past view's snapshot); else one more than seen. */
  count?: number;
}

export interface TopicNode {
  /** This level's name ("" for an empty level, as in "a//b"). */
  readonly name: string;
  /** The full topic of this level. */
  readonly topic: string;
  readonly parent: TopicNode | null;
  readonly depth: number;
  children: Map<string, TopicNode> | null;
  /** The children in name order, kept until a child comes or goes: a redraw must not sort 10,000 names. */
  sorted: TopicNode[] | null;
  /** Messages published to exactly this topic. */
  messages: number;
  lastTs: number | null;
  last: BoundedPayload | null;
  /** The MQTT 5 properties `last` came with. */
  lastProps: MessageProperties | null;
  /** The value before `last`, for the diff view. */
  previous: BoundedPayload | null;
  previousTs: number | null;
  qos: QoS | null;
  /** The broker holds a retained message here, as far as this browser has seen. */
  retained: boolean;
  /** Topics with messages in this subtree, this node included. */
  subtreeTopics: number;
  subtreeMessages: number;
  subtreeLastTs: number | null;
  /** Exponentially smoothed msgs/s of this topic and of its subtree at `rateTs`. */
  rate: number;
  subtreeRate: number;
  rateTs: number;
}

export class TopicTree {
  readonly root: TopicNode = newNode("", "", null);
  /** Topics with messages, so the UI can say how big the tree is without walking it. */
  topics = 0;
  messages = 0;
  /** Bumped on every change; a view compares it to know whether to redraw. */
  version = 0;
  private readonly byTopic = new Map<string, TopicNode>();
  /** Retained marks for topics whose echo has not arrived yet (see markRetained). */
  private readonly pendingRetained = new Map<string, boolean>();

  get(topic: string): TopicNode | undefined {
    return this.byTopic.get(topic);
  }

  apply(batch: readonly TopicMessage[]): void {
    for (const m of batch) this.add(m);
    if (batch.length > 0) this.version++;
  }

  private add(m: TopicMessage) {
    const node = this.byTopic.get(m.topic) ?? this.create(m.topic);
    const firstMessage = node.messages === 0;
    const marked = this.pendingRetained.get(m.topic);
    if (marked !== undefined) {
      node.retained = marked;
      this.pendingRetained.delete(m.topic);
    }
    // A snapshot's message stands for all the topic had received by then: the tree counts them all.
    const added = m.count !== undefined && m.count > node.messages ? m.count - node.messages : 1;
    node.messages += added;
    node.previousTs = node.lastTs;
    node.previous = node.last;
    node.lastTs = m.ts;
    node.last = boundedPayload(m.payload);
    node.lastProps = m.props ?? null;
    node.qos = m.qos;
    // A retained message comes with RETAIN=1 to a new subscription [MQTT-3.3.1-8]; live ones
    // arrive with RETAIN=0 [MQTT-3.3.1-9], so only an empty payload (which deletes the
    // retained message [MQTT-3.3.1-10]) clears the mark.
    if (m.retain) node.retained = m.payload.byteLength > 0;
    else if (m.payload.byteLength === 0) node.retained = false;
    node.rate = decayed(node.rate, node.rateTs, m.ts) + 1000 / RATE_TAU_MS;
    if (firstMessage) this.topics++;
    this.messages += added;
    for (let n: TopicNode | null = node; n; n = n.parent) {
      n.subtreeMessages += added;
      if (firstMessage) n.subtreeTopics++;
      n.subtreeLastTs = Math.max(n.subtreeLastTs ?? m.ts, m.ts);
      n.subtreeRate = decayed(n.subtreeRate, n.rateTs, m.ts) + 1000 / RATE_TAU_MS;
      if (n !== node) n.rate = decayed(n.rate, n.rateTs, m.ts);
      n.rateTs = Math.max(n.rateTs, m.ts);
    }
  }

  /**
   * Marks what this browser itself published retained: brokers echo it to us with RETAIN=0, and
   * the echo may come after the acknowledgement, so an unseen topic takes the mark when it does.
   */
  markRetained(topic: string, retained: boolean): void {
    const node = this.byTopic.get(topic);
    if (!node) {
      if (this.pendingRetained.size >= MAX_PENDING_MARKS) this.pendingRetained.clear();
      this.pendingRetained.set(topic, retained);
    } else if (node.retained !== retained) {
      node.retained = retained;
      this.version++;
    }
  }

  private create(topic: string): TopicNode {
    const levels = topic.split("/");
    let node = this.root;
    for (let i = 0; i < levels.length; i++) {
      const name = levels[i]!;
      node.children ??= new Map();
      let child = node.children.get(name);
      if (!child) {
        child = newNode(name, i === 0 ? name : `${node.topic}/${name}`, node);
        node.children.set(name, child);
        node.sorted = null;
        this.byTopic.set(child.topic, child);
      }
      node = child;
    }
    return node;
  }

  /** Forgets subtrees with no message since `before`; returns how many topics went. */
  prune(before: number): number {
    const removedTopics = this.pruneBelow(this.root, before);
    if (removedTopics > 0 || this.root.children?.size === 0) this.version++;
    return removedTopics;
  }

  private pruneBelow(node: TopicNode, before: number): number {
    if (!node.children) return 0;
    let removed = 0;
    for (const child of [...node.children.values()]) {
      if (child.subtreeLastTs === null || child.subtreeLastTs < before) {
        removed += child.subtreeTopics;
        this.forget(child);
        node.children.delete(child.name);
        node.sorted = null;
      } else {
        removed += this.pruneBelow(child, before);
      }
    }
    if (removed > 0) {
      // The pruned ones' messages leave this subtree's totals too.
      node.subtreeTopics -= removed;
      node.subtreeMessages = node.messages + sum(node.children.values(), (c) => c.subtreeMessages);
      if (node === this.root) {
        this.topics -= removed;
        this.messages = node.subtreeMessages;
      }
    }
    return removed;
  }

  private forget(node: TopicNode) {
    this.byTopic.delete(node.topic);
    if (node.children) for (const c of node.children.values()) this.forget(c);
  }
}

/** A rate smoothed up to `at`, as it would read then. */
export function rateAt(rate: number, rateTs: number, at: number): number {
  return decayed(rate, rateTs, at);
}

function decayed(rate: number, since: number, now: number): number {
  if (rate === 0 || now <= since) return rate;
  return rate * Math.exp(-(now - since) / RATE_TAU_MS);
}

function newNode(name: string, topic: string, parent: TopicNode | null): TopicNode {
  return {
    name,
    topic,
    parent,
    depth: parent ? parent.depth + 1 : -1,
    children: null,
    sorted: null,
    messages: 0,
    lastTs: null,
    last: null,
    lastProps: null,
    previous: null,
    previousTs: null,
    qos: null,
    retained: false,
    subtreeTopics: 0,
    subtreeMessages: 0,
    subtreeLastTs: null,
    rate: 0,
    subtreeRate: 0,
    rateTs: 0,
  };
}

function sum<T>(items: Iterable<T>, of: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += of(item);
  return total;
}
