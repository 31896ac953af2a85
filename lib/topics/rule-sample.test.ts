import { describe, expect, it } from "vitest";
import { previewRule } from "../devices/conventions/rule-preview";
import { suggestRule } from "../devices/conventions/rule-suggest";
import { sampleMessages, siblingTopics } from "./rule-sample";
import { TopicTree } from "./tree";

const enc = new TextEncoder();
const msg = (topic: string, payload: string, ts: number, retain = false) => ({ topic, payload: enc.encode(payload), qos: 1 as const, retain, ts });

function tree() {
  const t = new TopicTree();
  t.apply([
    msg("greenhouse/bed-1/climate", `{"temp":20.5,"hum":40}`, 1000),
    msg("greenhouse/bed-2/climate", `{"temp":19,"hum":44}`, 1001),
    msg("greenhouse/bed-1/climate", `{"temp":21,"hum":41}`, 1002),
    msg("greenhouse/bed-2/status", `online`, 1003, true),
    msg("office/desk/climate", `{"temp":23}`, 1004),
  ]);
  return t;
}

describe("a rule's sample from the topic tree", () => {
  it("takes each matching topic's kept messages, oldest first, and nothing outside the filter", () => {
    const got = sampleMessages(tree(), "greenhouse/+/#");
    expect(got.map((m) => [m.topic, m.text, m.ts])).toEqual([
      ["greenhouse/bed-1/climate", `{"temp":20.5,"hum":40}`, 1000],
      ["greenhouse/bed-2/climate", `{"temp":19,"hum":44}`, 1001],
      ["greenhouse/bed-1/climate", `{"temp":21,"hum":41}`, 1002],
      ["greenhouse/bed-2/status", "online", 1003],
    ]);
    expect(got[3]!.retain).toBe(true);
    expect(sampleMessages(tree(), "+/+/climate").map((m) => m.topic)).toContain("office/desk/climate");
    expect(sampleMessages(tree(), "nowhere/#")).toEqual([]);
  });

  it("names the selected topic's neighbours, so a suggestion finds the level that tells devices apart", () => {
    const t = tree();
    expect(siblingTopics(t, "greenhouse/bed-1/climate").sort()).toEqual(["greenhouse/bed-2/climate", "greenhouse/bed-2/status"]);
    const rule = suggestRule("greenhouse/bed-1/climate", `{"temp":21,"hum":41}`, siblingTopics(t, "greenhouse/bed-1/climate"));
    expect(rule.pattern).toBe("greenhouse/{device}/#");
    const preview = previewRule(rule, sampleMessages(t, "greenhouse/+/#"));
    expect(preview.devices.map((d) => [d.name, d.fields.map((f) => `${f.name}=${f.value}`)])).toEqual([
      ["bed-1", ["temp=21", "hum=41"]],
      ["bed-2", ["temp=19", "hum=44"]],
    ]);
  });
});
