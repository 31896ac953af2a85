import { describe, expect, it } from "vitest";
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
    expect(t.root.children!.has("")).toBe(true);
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
});
