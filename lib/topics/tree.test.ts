import { describe, expect, it } from "vitest";
import { RECENT_TOPICS } from "./kept-payloads";
import { RATE_TAU_MS, TopicTree, rateAt, type TopicMessage } from "./tree";

const enc = new TextEncoder();
const msg = (topic: string, ts: number, payload = "x", extra: Partial<TopicMessage> = {}): TopicMessage => ({ topic, payload: enc.encode(payload), qos: 0, retain: false, ts, ...extra });

describe("TopicTree", () => {
  it("builds every level of a topic and counts messages per topic and per subtree", () => {
    const t = new TopicTree();
    t.apply([msg("fleet/a/arm-1/telemetry", 1), msg("fleet/a/arm-1/telemetry", 2), msg("fleet/a/arm-1/status", 3), msg("fleet/b/arm-2/telemetry", 4)]);
    expect(t.topics).toBe(3);
    expect(t.messages).toBe(4);
    const fleet = t.get("fleet")!;
    expect(fleet.messages).toBe(0);
    expect(fleet.subtreeMessages).toBe(4);
    expect(fleet.subtreeTopics).toBe(3);
    expect(t.get("fleet/a")!.subtreeTopics).toBe(2);
    const tel = t.get("fleet/a/arm-1/telemetry")!;
    expect(tel.messages).toBe(2);
    expect(tel.lastTs).toBe(2);
    expect(tel.depth).toBe(3);
    expect(t.get("fleet/a/arm-1")!.subtreeLastTs).toBe(3);
  });

  it("takes a past snapshot's count as the topic's messages up to then, and counts played ones on from it", () => {
    const t = new TopicTree();
    t.apply([msg("fleet/a/x", 1, "x", { count: 120 }), msg("fleet/a/y", 1, "y", { count: 5 })]);
    t.apply([msg("fleet/a/x", 2)]);
    expect(t.get("fleet/a/x")!.messages).toBe(121);
    expect(t.get("fleet/a")!.subtreeMessages).toBe(126);
    expect(t.messages).toBe(126);
    expect(t.topics).toBe(2);
    // A count the tree has already passed (the same snapshot routed again) adds one, as a message does.
    t.apply([msg("fleet/a/y", 3, "y", { count: 5 })]);
    expect(t.get("fleet/a/y")!.messages).toBe(6);
  });

  it("keeps the last two payloads and the QoS of the last message", () => {
    const t = new TopicTree();
    t.apply([msg("a", 1, "one", { qos: 1 }), msg("a", 2, "two", { qos: 2 })]);
    const a = t.get("a")!;
    expect(new TextDecoder().decode(a.last!.bytes)).toBe("two");
    expect(new TextDecoder().decode(a.previous!.bytes)).toBe("one");
    expect(a.qos).toBe(2);
  });

  it("treats a topic that is also a parent as both (a/b and a/b/c)", () => {
    const t = new TopicTree();
    t.apply([msg("a/b", 1), msg("a/b/c", 2)]);
    expect(t.get("a/b")!.messages).toBe(1);
    expect(t.get("a/b")!.subtreeMessages).toBe(2);
    expect(t.topics).toBe(2);
  });

  it("keeps empty levels and a leading slash as levels of their own", () => {
    const t = new TopicTree();
    t.apply([msg("/a//b", 1)]);
    expect(t.get("")).toBeDefined();
    expect(t.get("/a//b")!.depth).toBe(3);
    expect(t.get("/a/")).toBeDefined();
  });

  it("marks a topic retained from a RETAIN=1 delivery and clears it on an empty payload", () => {
    const t = new TopicTree();
    t.apply([msg("s", 1, "online", { retain: true })]);
    expect(t.get("s")!.retained).toBe(true);
    t.apply([msg("s", 2, "offline")]); // a live update of a retained topic arrives with RETAIN=0
    expect(t.get("s")!.retained).toBe(true);
    t.apply([msg("s", 3, "")]);
    expect(t.get("s")!.retained).toBe(false);
    t.markRetained("s", true);
    expect(t.get("s")!.retained).toBe(true);
  });

  it("keeps a retained mark made before the topic's first message for that message", () => {
    const t = new TopicTree();
    t.markRetained("lab/new", true);
    t.apply([msg("lab/new", 1, "v")]);
    expect(t.get("lab/new")!.retained).toBe(true);
    t.apply([msg("lab/new", 2, "w")]);
    expect(t.get("lab/new")!.retained).toBe(true);
  });

  it("smooths the rate to the steady message rate, for the topic and its ancestors", () => {
    const t = new TopicTree();
    const batch: TopicMessage[] = [];
    for (let ts = 0; ts <= 10 * RATE_TAU_MS; ts += 100) batch.push(msg("x/y", ts)); // 10 msgs/s
    t.apply(batch);
    const y = t.get("x/y")!;
    expect(y.rate).toBeGreaterThan(9.5);
    expect(y.rate).toBeLessThan(10.5);
    expect(t.get("x")!.subtreeRate).toBeCloseTo(y.subtreeRate, 6);
    expect(t.get("x")!.rate).toBe(0);
    // Silence decays it: one time constant later about 37 % remains.
    expect(rateAt(y.rate, y.rateTs, y.rateTs + RATE_TAU_MS) / y.rate).toBeCloseTo(Math.exp(-1), 6);
  });

  it("bumps its version once per non-empty batch", () => {
    const t = new TopicTree();
    t.apply([msg("a", 1), msg("b", 1)]);
    t.apply([]);
    expect(t.version).toBe(1);
  });

  it("bumps its shape only when a node comes or goes, not for a message to a known topic", () => {
    const t = new TopicTree();
    t.apply([msg("a/b", 1)]);
    const shape = t.shape;
    t.apply([msg("a/b", 2)]);
    expect(t.shape).toBe(shape);
    t.apply([msg("a/c", 3)]);
    expect(t.shape).toBeGreaterThan(shape);
    const grown = t.shape;
    t.prune(3);
    expect(t.shape).toBeGreaterThan(grown);
  });

  it("prunes subtrees not seen since a time and corrects every total", () => {
    const t = new TopicTree();
    t.apply([msg("f/old/x", 1), msg("f/old/y", 2), msg("f/new/z", 100), msg("f/new/z", 101), msg("g", 5)]);
    expect(t.prune(50)).toBe(3);
    expect(t.get("f/old")).toBeUndefined();
    expect(t.get("f/old/x")).toBeUndefined();
    expect(t.get("g")).toBeUndefined();
    expect(t.get("f")!.subtreeTopics).toBe(1);
    expect(t.get("f")!.subtreeMessages).toBe(2);
    expect(t.topics).toBe(1);
    expect(t.messages).toBe(2);
    // A pruned topic that comes back starts over.
    t.apply([msg("f/old/x", 200)]);
    expect(t.get("f/old/x")!.messages).toBe(1);
    expect(t.topics).toBe(2);
  });

  it("keeps a quiet parent whose child is still talking", () => {
    const t = new TopicTree();
    t.apply([msg("a", 1), msg("a/b", 100)]);
    expect(t.prune(50)).toBe(0);
    expect(t.get("a")!.messages).toBe(1);
  });

  it("keeps at most a bounded copy of a huge payload, marked truncated", () => {
    const t = new TopicTree();
    const huge = new Uint8Array(10 * 1024 * 1024);
    t.apply([{ topic: "big", payload: huge, qos: 0, retain: false, ts: 1 }]);
    const last = t.get("big")!.last!;
    expect(last.truncated).toBe(true);
    expect(last.size).toBe(huge.byteLength);
    expect(last.bytes.byteLength).toBeLessThan(huge.byteLength);
    huge[0] = 7;
    expect(last.bytes[0]).toBe(0); // a copy, not a view
  });

  it("copies a payload that is a view of a larger buffer, so the buffer can go", () => {
    const t = new TopicTree();
    const frame = new Uint8Array(1024);
    t.apply([{ topic: "v", payload: frame.subarray(10, 20), qos: 0, retain: false, ts: 1 }]);
    expect(t.get("v")!.last!.bytes.buffer.byteLength).toBe(10);
  });

  it("grows past its arrays' first capacity and keeps every node's numbers", () => {
    const t = new TopicTree();
    const batch: TopicMessage[] = [];
    for (let i = 0; i < 5000; i++) batch.push(msg(`g/${i % 7}/dev-${i}`, i, `${i}`, { qos: (i % 3) as 0 | 1 | 2 }));
    t.apply(batch);
    expect(t.topics).toBe(5000);
    expect(t.nodes).toBe(1 + 1 + 7 + 5000);
    for (const i of [0, 1023, 1024, 4999]) {
      const n = t.get(`g/${i % 7}/dev-${i}`)!;
      expect([n.name, n.topic, n.messages, n.lastTs, n.qos, n.depth]).toEqual([`dev-${i}`, `g/${i % 7}/dev-${i}`, 1, i, i % 3, 2]);
      expect(n.parent!.topic).toBe(`g/${i % 7}`);
    }
    expect(t.get("g")!.subtreeTopics).toBe(5000);
    expect(t.get("g/3")!.subtreeMessages).toBe(batch.filter((m) => m.topic.startsWith("g/3/")).length);
  });

  it("reuses pruned nodes without mixing them up with the ones that stayed", () => {
    const t = new TopicTree();
    t.apply([msg("a/x", 1), msg("a/y", 2), msg("b/z", 100)]);
    expect(t.prune(50)).toBe(2);
    expect(t.nodes).toBe(3); // root, b, b/z
    t.apply([msg("c/w", 200, "w"), msg("c/v", 201, "v")]);
    expect(t.nodes).toBe(6);
    expect(t.get("a")).toBeUndefined();
    expect(t.get("c/w")!.messages).toBe(1);
    expect(t.get("c/w")!.subtreeLastTs).toBe(200);
    expect(t.get("b/z")!.topic).toBe("b/z");
    expect(t.sortedChildren(t.root).map((n) => n.name)).toEqual(["b", "c"]);
    expect(t.topics).toBe(3);
    expect(t.root.subtreeMessages).toBe(3);
  });

  it("keeps subtree totals, last times and rates for an intermediate topic and its parents", () => {
    const t = new TopicTree();
    t.apply([msg("p/q", 1000), msg("p/s", 1500), msg("p/q/r", 2000)]);
    const p = t.get("p")!;
    expect([p.messages, p.subtreeMessages, p.subtreeTopics, p.subtreeLastTs, p.lastTs]).toEqual([0, 3, 3, 2000, null]);
    expect(t.get("p/q")!.subtreeTopics).toBe(2);
    // Three messages within two seconds: the subtree rate is the three kicks, decayed to 2000.
    const kick = 1000 / RATE_TAU_MS;
    const expected = kick * Math.exp(-1000 / RATE_TAU_MS) + kick * Math.exp(-500 / RATE_TAU_MS) + kick;
    expect(p.subtreeRate).toBeCloseTo(expected, 5);
    expect(p.rateTs).toBe(2000);
  });

  it("keeps payloads only for pinned topics and the latest that spoke, and takes a stored one for the rest", () => {
    const t = new TopicTree();
    t.apply([msg("s/pinned", 1, "keep me")]);
    t.pin(["s/pinned"]);
    const batch: TopicMessage[] = [];
    for (let i = 0; i < RECENT_TOPICS + 10; i++) batch.push(msg(`s/n-${i}`, 2 + i, `v${i}`));
    t.apply(batch);
    expect(new TextDecoder().decode(t.get("s/pinned")!.last!.bytes)).toBe("keep me");
    expect(t.get("s/n-0")!.last).toBeNull(); // the oldest unpinned went
    expect(t.get("s/n-0")!.messages).toBe(1); // its numbers did not
    expect(t.get(`s/n-${RECENT_TOPICS + 9}`)!.last).not.toBeNull();
    const v = t.version;
    expect(t.restore("s/n-0", enc.encode("from the store"), 2)).toBe(true);
    expect(t.version).toBe(v + 1);
    expect(new TextDecoder().decode(t.get("s/n-0")!.last!.bytes)).toBe("from the store");
    // A payload kept here is newer than the store's: it stays.
    expect(t.restore("s/pinned", enc.encode("old"), 0)).toBe(false);
    expect(t.restore("s/unknown", enc.encode("x"), 0)).toBe(false);
    // Unpinned, a topic's payload joins the recent ones and goes when enough others speak.
    t.pin([]);
    t.apply(Array.from({ length: RECENT_TOPICS }, (_, i) => msg(`s/m-${i}`, 5000 + i)));
    expect(t.get("s/pinned")!.last).toBeNull();
  });

  it("keeps the retained mark in its flags apart from the QoS", () => {
    const t = new TopicTree();
    t.apply([msg("r", 1, "on", { retain: true, qos: 2 })]);
    expect([t.get("r")!.retained, t.get("r")!.qos]).toEqual([true, 2]);
    t.markRetained("r", false);
    expect([t.get("r")!.retained, t.get("r")!.qos]).toEqual([false, 2]);
    t.apply([msg("r", 2, "x", { qos: 0 })]);
    expect([t.get("r")!.retained, t.get("r")!.qos]).toEqual([false, 0]);
    expect(t.get("nothing")).toBeUndefined();
  });
});
