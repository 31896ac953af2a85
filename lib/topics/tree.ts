/**
 * The topic tree the explorer shows, built incrementally from every message the browser sees:
 * per node its own message count, smoothed rate, retained flag and QoS, and totals over its
 * subtree. Pure (no I/O, time passed in), so it is tested and benchmarked without a browser.
 *
 * Laid out for a million topics in one tab: a node is an index into typed arrays (counts, times,
 * rates, flags, parent and sibling links), level names are interned, one hash index finds a
 * child, and a node's full topic is built only when asked. Payloads stay only for the topics on
 * screen and the last few that spoke (kept-payloads.ts). Mutable on purpose: copying even one
 * path per message would cost more than the message. The UI reads `version` (bumped once per
 * applied batch) and takes views (`TopicNode`) of the rows it draws; a view reads the arrays
 * live, so it is read at once and not kept across a prune.
 */
import type { QoS } from "../mqtt/packet";
import { boundedPayload, type BoundedPayload } from "../payload/bounded";
import type { MessageProperties } from "../mqtt/message-properties";
import { ChildIndex } from "./child-index";
import { KeptPayloads, type Kept } from "./kept-payloads";

/** Smoothing time constant of the message rates: a burst fades over about this long. */
export const RATE_TAU_MS = 5_000;

/** Marks kept for topics not seen yet; a publish to a topic outside the subscription never echoes. */
const MAX_PENDING_MARKS = 1000;
const FIRST_CAPACITY = 1024;
const NONE = -1;
const ROOT = 0;
const RETAINED = 1;
const HAS_QOS = 2;
/** The QoS of the last message, in two bits above the flags. */
const QOS_SHIFT = 2;

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

/** A node as the UI reads it: a view of the tree's arrays at one index. */
export interface TopicNode {
  readonly id: number;
  /** This level's name ("" for an empty level, as in "a//b"). */
  readonly name: string;
  /** The full topic of this level, built from the names up the path. */
  readonly topic: string;
  readonly parent: TopicNode | null;
  readonly depth: number;
  readonly childCount: number;
  /** Messages published to exactly this topic. */
  readonly messages: number;
  readonly lastTs: number | null;
  /** The last payload, when this topic is on screen or spoke lately (else ask the store). */
  readonly last: BoundedPayload | null;
  /** The MQTT 5 properties `last` came with. */
  readonly lastProps: MessageProperties | null;
  /** The value before `last`, for the diff view. */
  readonly previous: BoundedPayload | null;
  readonly previousTs: number | null;
  readonly qos: QoS | null;
  /** The broker holds a retained message here, as far as this browser has seen. */
  readonly retained: boolean;
  /** Topics with messages in this subtree, this node included. */
  readonly subtreeTopics: number;
  readonly subtreeMessages: number;
  readonly subtreeLastTs: number | null;
  /** Exponentially smoothed msgs/s of this topic and of its subtree at `rateTs`. */
  readonly rate: number;
  readonly subtreeRate: number;
  readonly rateTs: number;
}

/** The per-node columns; index 0 is the root. Replaced (copied bigger) when the tree outgrows them. */
class Columns {
  parent: Int32Array;
  firstChild: Int32Array;
  nextSibling: Int32Array;
  childCount: Int32Array;
  name: Int32Array;
  depth: Int16Array;
  flags: Uint8Array;
  subtreeTopics: Int32Array;
  messages: Float64Array;
  subtreeMessages: Float64Array;
  /** NaN: no message yet. */
  lastTs: Float64Array;
  subtreeLastTs: Float64Array;
  rateTs: Float64Array;
  rate: Float32Array;
  subtreeRate: Float32Array;

  constructor(readonly capacity: number, from?: Columns) {
    const grow = <T extends Int32Array | Int16Array | Uint8Array | Float64Array | Float32Array>(make: new (n: number) => T, old: T | undefined, fill?: number): T => {
      const a = new make(capacity);
      if (fill !== undefined) a.fill(fill);
      if (old) a.set(old);
      return a;
    };
    this.parent = grow(Int32Array, from?.parent);
    this.firstChild = grow(Int32Array, from?.firstChild, NONE);
    this.nextSibling = grow(Int32Array, from?.nextSibling, NONE);
    this.childCount = grow(Int32Array, from?.childCount);
    this.name = grow(Int32Array, from?.name);
    this.depth = grow(Int16Array, from?.depth);
    this.flags = grow(Uint8Array, from?.flags);
    this.subtreeTopics = grow(Int32Array, from?.subtreeTopics);
    this.messages = grow(Float64Array, from?.messages);
    this.subtreeMessages = grow(Float64Array, from?.subtreeMessages);
    this.lastTs = grow(Float64Array, from?.lastTs, NaN);
    this.subtreeLastTs = grow(Float64Array, from?.subtreeLastTs, NaN);
    this.rateTs = grow(Float64Array, from?.rateTs);
    this.rate = grow(Float32Array, from?.rate);
    this.subtreeRate = grow(Float32Array, from?.subtreeRate);
  }

  /** Bytes per node across the columns. */
  static readonly BYTES_PER_NODE = 4 * 6 + 2 + 1 + 8 * 5 + 4 * 2;
}

export class TopicTree {
  /** Topics with messages, so the UI can say how big the tree is without walking it. */
  topics = 0;
  messages = 0;
  /** Bumped on every change; a view compares it to know whether to redraw. */
  version = 0;
  /** Bumped when a node comes or goes or becomes a topic: the rows a view lists change only then. */
  shape = 0;
  private cols = new Columns(FIRST_CAPACITY);
  /** Nodes in use, the root included; ids below it that were pruned wait in `free`. */
  private used = 1;
  private readonly free: number[] = [];
  private readonly index = new ChildIndex(() => this.cols);
  private readonly names: string[] = [];
  private readonly nameIds = new Map<string, number>();
  private readonly payloads = new KeptPayloads();
  /** Retained marks for topics whose echo has not arrived yet (see markRetained). */
  private readonly pendingRetained = new Map<string, boolean>();
  /** Children in name order, per node asked for them, until a child comes or goes. */
  private readonly sorted = new Map<number, number[]>();

  constructor() {
    this.cols.depth[ROOT] = -1;
    this.cols.parent[ROOT] = NONE;
  }

  get root(): TopicNode {
    return new View(this, ROOT);
  }

  /** Nodes in the tree, intermediate levels included. */
  get nodes(): number {
    return this.used - this.free.length;
  }

  /** Bytes the tree's own arrays hold (the columns and the child index), for the heap figures. */
  get arrayBytes(): number {
    return this.cols.capacity * Columns.BYTES_PER_NODE + this.index.bytes;
  }

  get(topic: string): TopicNode | undefined {
    const id = this.find(topic);
    return id === NONE ? undefined : new View(this, id);
  }

  /** The node of a topic, or -1: walking the levels, no string kept per node. */
  find(topic: string): number {
    let node = ROOT;
    let start = 0;
    for (;;) {
      const slash = topic.indexOf("/", start);
      const name = this.nameIds.get(slash < 0 ? topic.slice(start) : topic.slice(start, slash));
      if (name === undefined) return NONE;
      node = this.index.find(node, name);
      if (node === NONE || slash < 0) return node;
      start = slash + 1;
    }
  }

  apply(batch: readonly TopicMessage[]): void {
    for (const m of batch) this.add(m);
    if (batch.length > 0) this.version++;
  }

  private add(m: TopicMessage) {
    const id = this.create(m.topic);
    const c = this.cols;
    const firstMessage = c.messages[id] === 0;
    const marked = this.pendingRetained.size > 0 ? this.pendingRetained.get(m.topic) : undefined;
    let retained = (c.flags[id]! & RETAINED) !== 0;
    if (marked !== undefined) {
      retained = marked;
      this.pendingRetained.delete(m.topic);
    }
    // A retained message comes with RETAIN=1 to a new subscription [MQTT-3.3.1-8]; live ones
    // arrive with RETAIN=0 [MQTT-3.3.1-9], so only an empty payload (which deletes the
    // retained message [MQTT-3.3.1-10]) clears the mark.
    if (m.retain) retained = m.payload.byteLength > 0;
    else if (m.payload.byteLength === 0) retained = false;
    c.flags[id] = (retained ? RETAINED : 0) | HAS_QOS | (m.qos << QOS_SHIFT);
    // A snapshot's message stands for all the topic had received by then: the tree counts them all.
    const added = m.count !== undefined && m.count > c.messages[id]! ? m.count - c.messages[id]! : 1;
    c.messages[id]! += added;
    c.lastTs[id] = m.ts;
    this.payloads.put(id, boundedPayload(m.payload), m.ts, m.props ?? null);
    c.rate[id] = decayed(c.rate[id]!, c.rateTs[id]!, m.ts) + 1000 / RATE_TAU_MS;
    // A first message makes a topic of a node: a search for topics lists it from then on.
    if (firstMessage) {
      this.topics++;
      this.shape++;
    }
    this.messages += added;
    for (let n = id; n !== NONE; n = c.parent[n]!) {
      c.subtreeMessages[n]! += added;
      if (firstMessage) c.subtreeTopics[n]!++;
      const lastTs = c.subtreeLastTs[n]!;
      if (!(lastTs >= m.ts)) c.subtreeLastTs[n] = m.ts; // NaN (none yet) compares false
      c.subtreeRate[n] = decayed(c.subtreeRate[n]!, c.rateTs[n]!, m.ts) + 1000 / RATE_TAU_MS;
      if (n !== id) c.rate[n] = decayed(c.rate[n]!, c.rateTs[n]!, m.ts);
      if (m.ts > c.rateTs[n]!) c.rateTs[n] = m.ts;
    }
  }

  /**
   * Marks what this browser itself published retained: brokers echo it to us with RETAIN=0, and
   * the echo may come after the acknowledgement, so an unseen topic takes the mark when it does.
   */
  markRetained(topic: string, retained: boolean): void {
    const id = this.find(topic);
    if (id === NONE || this.cols.messages[id] === 0) {
      if (this.pendingRetained.size >= MAX_PENDING_MARKS) this.pendingRetained.clear();
      this.pendingRetained.set(topic, retained);
    } else if (((this.cols.flags[id]! & RETAINED) !== 0) !== retained) {
      this.cols.flags[id]! ^= RETAINED;
      this.version++;
    }
  }

  /** The topics on screen, whose payloads stay whatever else arrives (see kept-payloads.ts). */
  pin(topics: Iterable<string>): void {
    const ids = new Set<number>();
    for (const t of topics) {
      const id = this.find(t);
      if (id !== NONE) ids.add(id);
    }
    this.payloads.pin(ids);
  }

  /** A topic's last message from the store, for a topic whose payload was not kept here. */
  restore(topic: string, payload: Uint8Array, ts: number, props?: MessageProperties): boolean {
    const id = this.find(topic);
    if (id === NONE || this.cols.messages[id] === 0) return false;
    const kept: Kept = { last: boundedPayload(payload), lastTs: ts, lastProps: props ?? null, previous: null, previousTs: null };
    if (!this.payloads.restore(id, kept)) return false;
    this.version++;
    return true;
  }

  /**
   * Children in name order: sorted when first asked, then kept in order as children come. `keep`
   * false (a search walking every node) sorts without keeping: an order per node is memory per node.
   */
  sortedChildren(node: TopicNode, keep = true): TopicNode[] {
    let ids = this.sorted.get(node.id);
    if (!ids) {
      ids = this.childIds(node.id);
      const { names } = this;
      const name = this.cols.name;
      ids.sort((a, b) => {
        const x = names[name[a]!]!;
        const y = names[name[b]!]!;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      if (keep) this.sorted.set(node.id, ids);
    }
    return ids.map((id) => new View(this, id));
  }

  /** Where a child named `name` goes among `sorted`, by binary search. */
  private sortedPosition(sorted: readonly number[], name: string): number {
    let [lo, hi] = [0, sorted.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.nameOf(sorted[mid]!) < name) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Children in no particular order. */
  children(node: TopicNode): TopicNode[] {
    return this.childIds(node.id).map((id) => new View(this, id));
  }

  private childIds(id: number): number[] {
    const out: number[] = [];
    for (let c = this.cols.firstChild[id]!; c !== NONE; c = this.cols.nextSibling[c]!) out.push(c);
    return out;
  }

  private intern(name: string): number {
    let id = this.nameIds.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.nameIds.set(name, id);
    }
    return id;
  }

  private create(topic: string): number {
    let node = ROOT;
    let start = 0;
    for (;;) {
      const slash = topic.indexOf("/", start);
      const name = this.intern(slash < 0 ? topic.slice(start) : topic.slice(start, slash));
      let child = this.index.find(node, name);
      if (child === NONE) child = this.newNode(node, name);
      node = child;
      if (slash < 0) return node;
      start = slash + 1;
    }
  }

  private newNode(parent: number, name: number): number {
    let id = this.free.pop();
    if (id === undefined) {
      if (this.used === this.cols.capacity) this.cols = new Columns(this.cols.capacity * 2, this.cols);
      id = this.used++;
    }
    const c = this.cols;
    c.parent[id] = parent;
    c.name[id] = name;
    c.depth[id] = c.depth[parent]! + 1;
    c.firstChild[id] = NONE;
    c.nextSibling[id] = c.firstChild[parent]!;
    c.firstChild[parent] = id;
    c.childCount[parent]!++;
    c.childCount[id] = 0;
    c.flags[id] = 0;
    c.subtreeTopics[id] = 0;
    c.messages[id] = 0;
    c.subtreeMessages[id] = 0;
    c.lastTs[id] = NaN;
    c.subtreeLastTs[id] = NaN;
    c.rateTs[id] = 0;
    c.rate[id] = 0;
    c.subtreeRate[id] = 0;
    this.index.insert(id);
    this.shape++;
    // A parent shown open keeps its order as children come: 100,000 of them sort once, not per redraw.
    const sorted = this.sorted.get(parent);
    if (sorted) sorted.splice(this.sortedPosition(sorted, this.names[name]!), 0, id);
    return id;
  }

  /** Forgets subtrees with no message since `before`; returns how many topics went. */
  prune(before: number): number {
    const removedTopics = this.pruneBelow(ROOT, before);
    if (removedTopics > 0 || this.cols.firstChild[ROOT] === NONE) this.version++;
    return removedTopics;
  }

  private pruneBelow(node: number, before: number): number {
    const c = this.cols;
    let removed = 0;
    let prev = NONE;
    for (let child = c.firstChild[node]!; child !== NONE; ) {
      const next = c.nextSibling[child]!;
      const lastTs = c.subtreeLastTs[child]!;
      if (!(lastTs >= before)) {
        removed += c.subtreeTopics[child]!;
        if (prev === NONE) c.firstChild[node] = next;
        else c.nextSibling[prev] = next;
        c.childCount[node]!--;
        this.sorted.delete(node);
        this.forget(child);
      } else {
        removed += this.pruneBelow(child, before);
        prev = child;
      }
      child = next;
    }
    if (removed > 0) {
      // The pruned ones' messages leave this subtree's totals too.
      c.subtreeTopics[node]! -= removed;
      let total = c.messages[node]!;
      for (let child = c.firstChild[node]!; child !== NONE; child = c.nextSibling[child]!) total += c.subtreeMessages[child]!;
      c.subtreeMessages[node] = total;
      if (node === ROOT) {
        this.topics -= removed;
        this.messages = total;
      }
    }
    return removed;
  }

  private forget(id: number) {
    const c = this.cols;
    for (let child = c.firstChild[id]!; child !== NONE; child = c.nextSibling[child]!) this.forget(child);
    this.index.delete(id);
    this.payloads.forget(id);
    this.shape++;
    this.sorted.delete(id);
    c.messages[id] = 0; // a freed id reads as no topic until it is reused
    this.free.push(id);
  }

  /** For View: the columns as they are now (growth replaces them). */
  columns(): Columns {
    return this.cols;
  }

  nameOf(id: number): string {
    return this.names[this.cols.name[id]!]!;
  }

  topicOf(id: number): string {
    const levels: string[] = [];
    for (let n = id; n !== ROOT && n !== NONE; n = this.cols.parent[n]!) levels.push(this.nameOf(n));
    return levels.reverse().join("/");
  }

  kept(id: number): Kept | undefined {
    return this.payloads.get(id);
  }
}

const orNull = (ts: number) => (Number.isNaN(ts) ? null : ts);

class View implements TopicNode {
  constructor(
    private readonly tree: TopicTree,
    readonly id: number,
  ) {}
  get name() {
    return this.id === ROOT ? "" : this.tree.nameOf(this.id);
  }
  get topic() {
    return this.tree.topicOf(this.id);
  }
  get parent(): TopicNode | null {
    const p = this.tree.columns().parent[this.id]!;
    return p === NONE ? null : new View(this.tree, p);
  }
  get depth() {
    return this.tree.columns().depth[this.id]!;
  }
  get childCount() {
    return this.tree.columns().childCount[this.id]!;
  }
  get messages() {
    return this.tree.columns().messages[this.id]!;
  }
  get lastTs() {
    return orNull(this.tree.columns().lastTs[this.id]!);
  }
  get last() {
    return this.tree.kept(this.id)?.last ?? null;
  }
  get lastProps() {
    return this.tree.kept(this.id)?.lastProps ?? null;
  }
  get previous() {
    return this.tree.kept(this.id)?.previous ?? null;
  }
  get previousTs() {
    return this.tree.kept(this.id)?.previousTs ?? null;
  }
  get qos() {
    const f = this.tree.columns().flags[this.id]!;
    return f & HAS_QOS ? (((f >> QOS_SHIFT) & 3) as QoS) : null;
  }
  get retained() {
    return (this.tree.columns().flags[this.id]! & RETAINED) !== 0;
  }
  get subtreeTopics() {
    return this.tree.columns().subtreeTopics[this.id]!;
  }
  get subtreeMessages() {
    return this.tree.columns().subtreeMessages[this.id]!;
  }
  get subtreeLastTs() {
    return orNull(this.tree.columns().subtreeLastTs[this.id]!);
  }
  get rate() {
    return this.tree.columns().rate[this.id]!;
  }
  get subtreeRate() {
    return this.tree.columns().subtreeRate[this.id]!;
  }
  get rateTs() {
    return this.tree.columns().rateTs[this.id]!;
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
