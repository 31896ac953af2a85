import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { literalPrefix, RETAINED_PAGE, RetainedMessages } from "./retained";
import { openBrokerDatabase } from "./schema";

const dir = mkdtempSync(join(tmpdir(), "fleetscope-retained-"));
const opened: { close(): void }[] = [];
afterAll(() => {
  for (const db of opened) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function store(topics: string[]): RetainedMessages {
  const db = openBrokerDatabase(join(dir, `retained-${opened.length + 1}.db`));
  opened.push(db);
  const retained = new RetainedMessages(db);
  for (const topic of topics) retained.store({ cmd: "publish", topic, payload: Buffer.from(topic), qos: 1, retain: true });
  return retained;
}

function matching(retained: RetainedMessages, filter: string): string[] {
  const topics: string[] = [];
  let cursor: string | null = null;
  do {
    const page = retained.page(filter, cursor);
    topics.push(...page.packets.map((p) => p.topic as string));
    cursor = page.next;
  } while (cursor !== null);
  return topics;
}

describe("retained messages", () => {
  it("a filter is read from the literal levels before its first wildcard", () => {
    expect(literalPrefix("fleet/lab/+/status")).toBe("fleet/lab/");
    expect(literalPrefix("fleet/lab/#")).toBe("fleet/lab");
    expect(literalPrefix("+/status")).toBe("");
    expect(literalPrefix("#")).toBe("");
    expect(literalPrefix("fleet/lab/arm-1/status")).toBe("fleet/lab/arm-1/status");
  });

  it("answers each SUBSCRIBE filter as MQTT matches it, # including the parent level and leading wildcards skipping $ topics [MQTT-4.7.1-2] [MQTT-4.7.2-1]", () => {
    const retained = store(["fleet", "fleet/lab/arm-1/status", "fleet/lab/arm-2/status", "fleet/labs/x/status", "fleetx", "$SYS/broker/uptime"]);
    expect(matching(retained, "fleet/#")).toEqual(["fleet", "fleet/lab/arm-1/status", "fleet/lab/arm-2/status", "fleet/labs/x/status"]);
    expect(matching(retained, "fleet/lab/+/status")).toEqual(["fleet/lab/arm-1/status", "fleet/lab/arm-2/status"]);
    expect(matching(retained, "#")).not.toContain("$SYS/broker/uptime");
    expect(matching(retained, "$SYS/#")).toEqual(["$SYS/broker/uptime"]);
    expect(matching(retained, "fleet/lab/arm-2/status")).toEqual(["fleet/lab/arm-2/status"]);
  });

  it("reads a large set a page at a time, each topic once", () => {
    const topics = Array.from({ length: RETAINED_PAGE * 2 + 7 }, (_, i) => `fleet/lab/arm-${String(i).padStart(4, "0")}/status`);
    const retained = store(topics);
    expect(matching(retained, "fleet/+/+/status")).toEqual(topics);
  });

  it("an empty payload removes the topic's retained message [MQTT-3.3.1-10]", () => {
    const retained = store(["fleet/lab/arm-1/status"]);
    retained.store({ cmd: "publish", topic: "fleet/lab/arm-1/status", payload: Buffer.alloc(0), qos: 1, retain: true });
    expect(matching(retained, "#")).toEqual([]);
  });
});
