import { describe, expect, it } from "vitest";
import { filterToRegex, filterWithin, topicMatches, validateTopicFilter, validateTopicName } from "./topic";

describe("topicMatches", () => {
  it.each([
    ["a/b/c", "a/b/c", true],
    ["a/+/c", "a/b/c", true],
    ["a/+/c", "a/b/d", false],
    ["a/#", "a/b/c", true],
    ["a/#", "a", true], // # also matches the parent level [MQTT-4.7.1-2]
    ["#", "a/b", true],
    ["+", "a/b", false],
    ["+/+", "/finance", true], // an empty level is a level
    ["a/b", "a/b/c", false],
    ["a/b/c", "a/b", false],
    ["fleet/+/+/telemetry", "fleet/lab/arm-99/telemetry", true],
    ["fleet/+/+/telemetry", "fleet/lab/arm-99/status", false],
  ])("%s matches %s: %s", (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it("keeps $SYS topics away from filters starting with a wildcard [MQTT-4.7.2-1]", () => {
    expect(topicMatches("#", "$SYS/broker/uptime")).toBe(false);
    expect(topicMatches("+/broker/uptime", "$SYS/broker/uptime")).toBe(false);
    expect(topicMatches("$SYS/#", "$SYS/broker/uptime")).toBe(true);
  });
});

describe("validation", () => {
  it("refuses wildcards in topic names", () => {
    expect(validateTopicName("a/+/b").ok).toBe(false);
    expect(validateTopicName("a/#").ok).toBe(false);
    expect(validateTopicName("a/b").ok).toBe(true);
  });

  it("refuses empty topics and NUL characters", () => {
    expect(validateTopicName("").ok).toBe(false);
    expect(validateTopicFilter("a/\u0000").ok).toBe(false);
  });

  it.each(["a/#/b", "a#", "a/b+", "#/a"])("refuses the malformed filter %s", (f) => {
    expect(validateTopicFilter(f).ok).toBe(false);
  });

  it.each(["#", "+", "a/+/b/#", "/", "+/+"])("accepts the filter %s", (f) => {
    expect(validateTopicFilter(f).ok).toBe(true);
  });

  it("refuses a topic longer than 65535 bytes", () => {
    expect(validateTopicName("é".repeat(40_000)).ok).toBe(false);
  });
});

describe("filterToRegex", () => {
  const topics = ["a", "a/b", "a/b/c", "a/bc", "ab/c", "/x", "x/", "$SYS/up", "a.b/c", "a(b)/c", "fleet/lab/arm-99/telemetry", "fleet/lab/arm-99/status"];
  const filters = ["#", "+", "a/#", "a/+", "a/+/c", "+/+", "a.b/#", "a(b)/+", "fleet/+/+/telemetry", "$SYS/#", "x/+", "+/c"];
  it.each(filters)("agrees with topicMatches for %s", (filter) => {
    const re = new RegExp(filterToRegex(filter));
    for (const t of topics) expect(re.test(t), `${filter} vs ${t}`).toBe(topicMatches(filter, t));
  });
});

describe("filterWithin", () => {
  it.each([
    ["cmnd/plug/#", "cmnd/plug/#", true],
    ["cmnd/plug/Power", "cmnd/plug/#", true],
    ["cmnd/plug", "cmnd/plug/#", true], // "a/#" matches "a" too [MQTT-4.7.1-2]
    ["cmnd/+/Power", "cmnd/plug/#", false],
    ["cmnd/#", "cmnd/plug/#", false],
    ["#", "cmnd/plug/#", false],
    ["a/+/c", "a/+/c", true],
    ["a/b/c", "a/+/c", true],
    ["a/#", "a/+/c", false],
    ["a/b", "a/+/c", false],
    ["a/b/c/d", "a/+/c", false],
  ])("%s within %s: %s", (filter, outer, within) => {
    expect(filterWithin(filter, outer)).toBe(within);
  });
});
