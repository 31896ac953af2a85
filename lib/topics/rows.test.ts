import { describe, expect, it } from "vitest";
import { ancestorsOf, parseTreeFilter, treeRows } from "./rows";
import { TopicTree } from "./tree";

const tree = (...topics: string[]) => {
  const t = new TopicTree();
  t.apply(topics.map((topic, i) => ({ topic, payload: new Uint8Array([1]), qos: 0 as const, retain: false, ts: i })));
  return t;
};
const names = (rows: ReturnType<typeof treeRows>) => rows.map((r) => `${"  ".repeat(r.depth)}${r.node.name}`);

describe("treeRows", () => {
  const t = tree("fleet/b/arm-2/telemetry", "fleet/a/arm-1/telemetry", "fleet/a/arm-1/status", "$SYS/broker/uptime", "home/lamp");

  it("shows the top level only until something is expanded, in name order", () => {
    expect(names(treeRows(t, new Set()))).toEqual(["$SYS", "fleet", "home"]);
  });

  it("shows the children of expanded nodes, depth first", () => {
    const rows = treeRows(t, new Set(["fleet", "fleet/a", "fleet/a/arm-1"]));
    expect(names(rows)).toEqual(["$SYS", "fleet", "  a", "    arm-1", "      status", "      telemetry", "  b", "home"]);
    expect(rows.find((r) => r.node.topic === "fleet/a")!.expanded).toBe(true);
    expect(rows.find((r) => r.node.topic === "fleet/b")!.expanded).toBe(false);
  });

  it("places a topic that arrives later in name order among its siblings", () => {
    const u = tree("z/b", "z/d");
    expect(names(treeRows(u, new Set(["z"])))).toEqual(["z", "  b", "  d"]);
    u.apply([{ topic: "z/c", payload: new Uint8Array(), qos: 0, retain: false, ts: 9 }]);
    expect(names(treeRows(u, new Set(["z"])))).toEqual(["z", "  b", "  c", "  d"]);
    u.prune(1);
    expect(names(treeRows(u, new Set(["z"])))).toEqual(["z", "  c", "  d"]);
  });

  it("an expanded leaf is not drawn as open", () => {
    expect(treeRows(t, new Set(["home", "home/lamp"])).find((r) => r.node.topic === "home/lamp")!).toMatchObject({ expanded: false, hasChildren: false });
  });

  it("an MQTT filter shows its matches with the path to them opened, whatever is expanded", () => {
    expect(names(treeRows(t, new Set(), parseTreeFilter("fleet/+/arm-1/#")))).toEqual(["fleet", "  a", "    arm-1", "      status", "      telemetry"]);
    expect(names(treeRows(t, new Set(), parseTreeFilter("+/+/+/telemetry")))).toEqual(["fleet", "  a", "    arm-1", "      telemetry", "  b", "    arm-2", "      telemetry"]);
  });

  it("a leading wildcard does not match $ topics [MQTT-4.7.2-1]", () => {
    const rows = treeRows(t, new Set(), parseTreeFilter("#"));
    expect(rows.some((r) => r.node.topic.startsWith("$SYS"))).toBe(false);
    expect(rows.length).toBeGreaterThan(0);
    expect(names(treeRows(t, new Set(), parseTreeFilter("$SYS/#")))).toEqual(["$SYS", "  broker", "    uptime"]);
  });

  it("a substring matches anywhere in the topic, case-insensitively", () => {
    expect(names(treeRows(t, new Set(), parseTreeFilter("LAMP")))).toEqual(["home", "  lamp"]);
    expect(treeRows(t, new Set(), parseTreeFilter("nothing-like-this"))).toEqual([]);
  });
});

describe("parseTreeFilter", () => {
  it("tells filters, substrings and invalid filters apart", () => {
    expect(parseTreeFilter("  ")).toEqual({ kind: "none" });
    expect(parseTreeFilter("arm")).toEqual({ kind: "text", needle: "arm" });
    expect(parseTreeFilter("a/+/c")).toEqual({ kind: "mqtt", filter: "a/+/c" });
    expect(parseTreeFilter("a/#/c").kind).toBe("invalid");
    expect(parseTreeFilter("a+/b").kind).toBe("invalid");
  });
});

describe("ancestorsOf", () => {
  it("lists every parent topic, nearest last", () => {
    expect(ancestorsOf("a/b/c")).toEqual(["a", "a/b"]);
    expect(ancestorsOf("a")).toEqual([]);
  });
});
