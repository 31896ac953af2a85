import { describe, expect, it } from "vitest";
import { SubscriptionTrie, type MatchedSubscription } from "./subscription-trie";

const sub = (clientId: string, topic: string, qos = 1): MatchedSubscription => ({ clientId, topic, qos, rh: undefined, rap: undefined, nl: undefined });
const matched = (t: SubscriptionTrie, topic: string) => t.match(topic).map((s) => `${s.clientId} ${s.topic}`);

describe("persistent sessions' subscription trie", () => {
  it("a filter ending in # also matches its parent level, and + matches exactly one level, an empty one too [MQTT-4.7.1-2] [MQTT-4.7.1-3]", () => {
    const t = new SubscriptionTrie();
    t.add(sub("a", "fleet/#"));
    t.add(sub("b", "fleet/+/status"));
    expect(matched(t, "fleet")).toEqual(["a fleet/#"]);
    expect(matched(t, "fleet/lab/status")).toEqual(["a fleet/#", "b fleet/+/status"]);
    expect(matched(t, "fleet//status")).toEqual(["a fleet/#", "b fleet/+/status"]);
    expect(matched(t, "fleet/lab/arm/status")).toEqual(["a fleet/#"]);
    expect(matched(t, "other")).toEqual([]);
  });

  it("a filter starting with a wildcard does not match a topic starting with $ [MQTT-4.7.2-1]", () => {
    const t = new SubscriptionTrie();
    t.add(sub("a", "#"));
    t.add(sub("b", "+/broker/heartbeat"));
    t.add(sub("c", "$SYS/#"));
    expect(matched(t, "$SYS/broker/heartbeat")).toEqual(["c $SYS/#"]);
    expect(matched(t, "fleet/broker/heartbeat")).toEqual(["a #", "b +/broker/heartbeat"]);
  });

  it("answers # first, then the exact level, then +, as aedes' in-memory persistence", () => {
    const t = new SubscriptionTrie();
    t.add(sub("a", "hello/+"));
    t.add(sub("a", "hello/world"));
    t.add(sub("a", "hello/#"));
    expect(matched(t, "hello/world")).toEqual(["a hello/#", "a hello/world", "a hello/+"]);
  });

  it("one entry per client and filter: adding again replaces, and removing the last leaves nothing counted", () => {
    const t = new SubscriptionTrie();
    t.add(sub("a", "fleet/+/cmd/#", 1));
    t.add(sub("a", "fleet/+/cmd/#", 2));
    t.add(sub("b", "fleet/+/cmd/#", 1));
    expect(t.size).toBe(2);
    expect(t.match("fleet/lab/cmd/stop").map((s) => [s.clientId, s.qos])).toEqual([
      ["a", 2],
      ["b", 1],
    ]);
    t.remove("a", "fleet/+/cmd/#");
    t.remove("b", "fleet/+/cmd/#");
    t.remove("b", "no/such/filter");
    expect(t.size).toBe(0);
    expect(t.match("fleet/lab/cmd/stop")).toEqual([]);
  });
});
