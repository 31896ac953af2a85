/**
 * Topic names and filters as MQTT 3.1.1 section 4.7 defines them. Pure: shared by the
 * browser, the bridge and the API so the rules never drift apart between runtimes.
 */

/** Longest topic a client may send: a UTF-8 string with a two-byte length [MQTT-1.5.3]. */
export const MAX_TOPIC_BYTES = 65_535;

const utf8 = new TextEncoder();

export type TopicCheck = { ok: true } | { ok: false; reason: string };

function checkCommon(s: string, what: string): TopicCheck {
  if (s.length === 0) return { ok: false, reason: `${what} must be at least one character [MQTT-4.7.3-1]` };
  // TextEncoder, not Buffer: this module also runs in the browser.
  if (s.length > MAX_TOPIC_BYTES / 3 && utf8.encode(s).byteLength > MAX_TOPIC_BYTES) return { ok: false, reason: `${what} is longer than ${MAX_TOPIC_BYTES} bytes` };
  if (s.includes("\u0000")) return { ok: false, reason: `${what} must not contain U+0000 [MQTT-4.7.3-2]` };
  return { ok: true };
}

/** A topic name a client publishes to: no wildcards [MQTT-3.3.2-2]. */
export function validateTopicName(topic: string): TopicCheck {
  const common = checkCommon(topic, "topic");
  if (!common.ok) return common;
  if (topic.includes("+") || topic.includes("#")) return { ok: false, reason: "a topic name must not contain + or # [MQTT-3.3.2-2]" };
  return { ok: true };
}

/** A subscription filter: `#` only as the whole last level, `+` only as a whole level [MQTT-4.7.1-2], [MQTT-4.7.1-3]. */
export function validateTopicFilter(filter: string): TopicCheck {
  const common = checkCommon(filter, "topic filter");
  if (!common.ok) return common;
  const levels = filter.split("/");
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes("#") && (level !== "#" || i !== levels.length - 1)) {
      return { ok: false, reason: "# must be a whole level and the last one [MQTT-4.7.1-2]" };
    }
    if (level.includes("+") && level !== "+") {
      return { ok: false, reason: "+ must occupy a whole level [MQTT-4.7.1-3]" };
    }
  }
  return { ok: true };
}

/**
 * Whether `topic` matches `filter`. A filter starting with a wildcard does not match topics
 * starting with `$` [MQTT-4.7.2-1], so `#` never shows `$SYS` traffic.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) return false;
  const f = filter.split("/");
  const t = topic.split("/");
  for (let i = 0; i < f.length; i++) {
    const level = f[i];
    if (level === "#") return true; // also matches the parent level: "a/#" matches "a" [MQTT-4.7.1-2]
    if (i >= t.length) return false;
    if (level !== "+" && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Whether every topic `filter` can match is matched by `outer` too (both validated filters): a
 * subscription confined within what a client may read.
 */
export function filterWithin(filter: string, outer: string): boolean {
  const f = filter.split("/");
  const o = outer.split("/");
  for (let i = 0; i < o.length; i++) {
    const level = o[i]!;
    if (level === "#") return true;
    if (i >= f.length) return false;
    if (f[i] === "#") return false;
    if (level !== "+" && f[i] !== level) return false;
  }
  return f.length === o.length;
}

/**
 * A validated filter as an anchored POSIX regular expression with the same meaning as
 * `topicMatches`, for stores that match in SQL. It travels as a bound parameter, never as SQL.
 */
export function filterToRegex(filter: string): string {
  const levels = filter.split("/");
  let re = "";
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === "#") {
      // "a/#" matches "a" too; "#" alone matches everything [MQTT-4.7.1-2].
      re = i === 0 ? ".*" : `${re}(/.*)?`;
      break;
    }
    if (i > 0) re += "/";
    re += level === "+" ? "[^/]*" : level.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  // [MQTT-4.7.2-1]: a leading wildcard does not match topics starting with $.
  const guard = levels[0] === "+" || levels[0] === "#" ? "(?!\\$)" : "";
  return `^${guard}${re}$`;
}
