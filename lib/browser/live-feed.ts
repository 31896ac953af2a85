/**
 * The browser's MQTT connection, one per tab: MQTT.js over WebSocket straight to the broker,
 * subscribed to what the device conventions read (lib/devices/registry.ts). Messages go to frame
 * batchers, never to React. Pages add their own subscriptions and publish through the handle it
 * puts in the store.
 */
import mqtt, { type IConnackPacket, type IDisconnectPacket, type Packet } from "mqtt";
import { createFrameBatcher } from "../state/frame-batcher";
import { reconnectDelay } from "./backoff";
import type { QoS, TraceEvent } from "../mqtt/packet";
import { ClientTap } from "../qos/client-tap";
import { createTraceBatcher } from "../state/trace-feed";
import { messageProperties } from "../mqtt/message-properties";
import { firstLevel, levelAfterRefusal, type ProtocolChoice, type ProtocolLevel } from "../mqtt/protocol";
import { publishTraced } from "./publish";
import { hexCode, namedConnack, reasonText } from "../mqtt/reason";
import { topicMatches } from "../mqtt/topic";
import { Watchers } from "./watchers";
import type { MqttHandle } from "../state/connection";
import type { LiveMessage } from "../state/live-devices";
import type { FleetStore } from "../state/fleet-store";
import { getBrokerToken } from "../api-client/auth";
import { ApiError } from "../api-client/request";

/** Payloads past this are not decoded in the browser (a device may send anything). */
export const MAX_LIVE_PAYLOAD_BYTES = 64 * 1024;

/** `/mqtt` on the page's own origin, unless the server was told another URL. */
export function resolveWsUrl(configured: string | null, location: { protocol: string; host: string }): string {
  if (configured) return configured;
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/mqtt`;
}

const decoder = new TextDecoder();
// Takes no parameters, so calling it with some allocates nothing.
const noop = () => undefined;

/**
 * What this tab sends in its MQTT CONNECT, fetched fresh before every connect: the server issues
 * a short-lived token for the logged-in user (GET /api/auth/broker-token), so a stale one is
 * never reused. A 401 means the session is over: back to the login page.
 */
async function brokerLogin(): Promise<{ username?: string; password?: string }> {
  try {
    const body = await getBrokerToken();
    return { username: body.username ?? undefined, password: body.password ?? undefined };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`);
    throw new Error("the session has ended; log in again");
  }
}

/** A frame flush of at least SLOW_FLUSH_MS: when (performance.now()), how many messages, and where the time went. */
export interface SlowFlush {
  at: number;
  messages: number;
  /** Applying the batch to the store. */
  applyMs: number;
  /** That and React's render of it. */
  totalMs: number;
}
const SLOW_FLUSH_MS = 20;
const SLOW_FLUSHES_KEPT = 100;

declare global {
  /**
   * Messages this tab has applied to its store, and the frame flushes that took long (from
   * applying the batch through React's render of it): read by `npm run bench -- overview`, and
   * handy in devtools.
   */
  var fleetscopeStats: { processed: number; slowFlushes?: SlowFlush[] } | undefined;
}

/** The codes of the SUBACK MQTT.js attaches to the error of a refused MQTT 5 subscribe (its ErrorWithSubackPacket, which its browser bundle does not export). */
function subackCodes(err: Error | null | undefined): unknown[] {
  const packet = err && "packet" in err ? err.packet : undefined;
  return typeof packet === "object" && packet !== null && "granted" in packet && Array.isArray(packet.granted) ? packet.granted : [];
}

/** Topic aliases the tab lets a broker use toward it [MQTT-3.1.2-26]: each costs one remembered topic. */
export const TOPIC_ALIAS_MAXIMUM = 64;

/** What CONNECT carries at `level`: MQTT 5 has properties, 3.1.1 has none. */
function levelOptions(level: ProtocolLevel) {
  return { protocolVersion: level, properties: level === 5 ? { topicAliasMaximum: TOPIC_ALIAS_MAXIMUM } : undefined };
}

/**
 * Connects and feeds `store`; the returned function disconnects (for effect cleanup). `protocol`
 * is the level the server knows its broker speaks, or "auto": 5, stepping down to 3.1.1 when the
 * broker refuses it.
 */
export function startLiveFeed(store: FleetStore, protocol: ProtocolChoice): () => void {
  const { url } = store.getState().connection;
  let level = firstLevel(protocol);
  /** The broker refused level 5: the next connect, right away, asks for 3.1.1. */
  let steppedDown = false;
  /** The tab numbers its subscriptions on MQTT 5, so a message says which of them it matched [MQTT-3.3.4-3]. */
  const subscriptionIds = new Map<string, number>();
  // Changed in place when a rule is saved or deleted (Watchers reads the same array).
  const liveFilters = store.getState().conventions.filters();
  const stats = (globalThis.fleetscopeStats ??= { processed: 0 });
  const slow = (stats.slowFlushes ??= []);
  const batcher = createFrameBatcher<LiveMessage>((batch) => {
    const start = performance.now();
    store.getState().applyBatch(batch);
    const applied = performance.now();
    stats.processed += batch.length;
    // After the render React queued for this update (a microtask queued before this one).
    queueMicrotask(() => {
      const end = performance.now();
      if (end - start < SLOW_FLUSH_MS) return;
      if (slow.length >= SLOW_FLUSHES_KEPT) slow.shift();
      slow.push({ at: start, messages: batch.length, applyMs: applied - start, totalMs: end - start });
    });
  });
  // Reconnects are ours, not MQTT.js's fixed period: backing off, and shown to the operator.
  // Connects are manual: each one waits for fresh broker credentials.
  const client = mqtt.connect(url, {
    clientId: `fleetscope-ui-${Math.random().toString(16).slice(2, 10)}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    manualConnect: true,
    ...levelOptions(level),
    // MQTT.js logs through `debug` several times per packet, and `debug` gathers its arguments
    // into a fresh array before it checks whether it is enabled: at 10,000 msgs/s that was a
    // share of the tab's garbage (sampling heap profile) for output nobody reads in a tab.
    log: noop,
  });
  const { setConnection } = store.getState();
  let attempts = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let opened = false;
  const retryLater = () => {
    if (stopped || timer) return;
    if (steppedDown) {
      steppedDown = false;
      open();
      return;
    }
    const delay = reconnectDelay(attempts);
    attempts++;
    setConnection({ state: attempts > 1 ? "reconnecting" : "offline", attempts, retryAt: Date.now() + delay });
    timer = setTimeout(retryNow, delay);
  };
  // One connect at a time: a second reconnect() while one is under way would leave its stream behind.
  let opening = false;
  const open = () => {
    if (opening) return;
    opening = true;
    brokerLogin().then(
      (login) => {
        if (stopped || client.connected) {
          opening = false;
          return;
        }
        client.options.username = login.username;
        client.options.password = login.password;
        if (opened) client.reconnect();
        else {
          opened = true;
          client.connect();
        }
      },
      (err: unknown) => {
        opening = false;
        if (stopped) return;
        setConnection({ error: err instanceof Error ? err.message : String(err) });
        retryLater();
      },
    );
  };
  const retryNow = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!stopped && !client.connected) open();
  };
  const watchers = new Watchers(
    {
      connected: () => client.connected,
      subscribe: (filter, done) => {
        const id = subscriptionIds.get(filter) ?? subscriptionIds.set(filter, subscriptionIds.size + 1).get(filter)!;
        const properties = level === 5 ? { subscriptionIdentifier: id } : undefined;
        client.subscribe(filter, { qos: 2, properties }, (err, granted) => {
          // A SUBACK code of 0x80 or above is the broker's refusal [MQTT-3.9.3-2]: in `granted` on
          // 3.1.1; on 5, MQTT.js fails the subscribe with the SUBACK packet attached.
          const codes: unknown[] = granted?.map((g) => g.qos) ?? subackCodes(err);
          const refused = codes.find((c): c is number => typeof c === "number" && c >= 0x80);
          done(refused !== undefined ? `the broker refused the subscription to ${filter}: SUBACK ${reasonText("SUBACK", refused, level)}` : err ? err.message : null);
        });
      },
      unsubscribe: (filter) => void client.unsubscribe(filter),
    },
    liveFilters,
  );
  const mqttHandle: MqttHandle = {
    watch: (filter, handlers) => watchers.add(filter, handlers),
    publish: (topic, payload, { properties, ...opts }) => publishTraced(client, topic, payload, level === 5 && properties ? { ...opts, properties } : opts),
    trace: (onBatch) => {
      const tap = new ClientTap(`this tab (${client.options.clientId})`, () => level);
      const traced = createTraceBatcher(onBatch);
      const on = (from: "client" | "server") => (packet: Packet) => {
        const e = tap.event(packet, from, Date.now());
        if (e) traced.push(e);
      };
      const sent = on("client");
      const received = on("server");
      client.on("packetsend", sent);
      client.on("packetreceive", received);
      return () => {
        client.off("packetsend", sent);
        client.off("packetreceive", received);
        traced.dispose();
      };
    },
  };
  store.setState({ retryNow, mqtt: mqttHandle });
  client.on("connect", () => {
    opening = false;
    attempts = 0;
    setConnection({ state: "connected", error: null, attempts: 0, retryAt: null, sessions: store.getState().connection.sessions + 1, protocol: level });
    client.subscribe(liveFilters, { qos: 0 }, (err) => {
      if (err) setConnection({ state: "error", error: `subscribe failed: ${err.message}` });
    });
    watchers.resubscribe();
  });
  client.on("close", () => {
    opening = false;
    retryLater();
  });
  // The conventions changed (a rule saved or deleted): subscribe to what they read now. A
  // reconnect subscribes to the whole list anyway.
  const stopFollowingRules = store.subscribe((s, prev) => {
    if (s.rulesVersion === prev.rulesVersion) return;
    const next = s.conventions.filters();
    const added = next.filter((f) => !liveFilters.includes(f));
    const removed = liveFilters.filter((f) => !next.includes(f));
    liveFilters.splice(0, liveFilters.length, ...next);
    if (!client.connected) return;
    if (added.length) {
      client.subscribe(added, { qos: 0 }, (err) => {
        if (err) setConnection({ state: "error", error: `subscribe failed: ${err.message}` });
      });
    }
    const unused = removed.filter((f) => !watchers.watching(f));
    if (unused.length) client.unsubscribe(unused);
  });
  client.on("error", (err) => setConnection({ error: err.message }));
  client.on("packetreceive", (packet) => {
    if (packet.cmd !== "connack") return;
    const connack = packet as IConnackPacket;
    const sent = level;
    const code = (sent === 5 ? connack.reasonCode : connack.returnCode) ?? 0;
    if (code === 0) return;
    const next = levelAfterRefusal(protocol, level, code);
    if (next !== null) {
      level = next;
      steppedDown = true;
      Object.assign(client.options, levelOptions(level));
    }
    // After MQTT.js's own "error" for it: this one names the code as the spec does.
    queueMicrotask(() => setConnection({ error: `the broker refused the connection: CONNACK ${hexCode(code)} ${namedConnack(code, sent).name}` }));
  });
  // An MQTT 5 broker says why it ends a connection [MQTT-3.14.2-1]; 3.1.1 brokers just close.
  client.on("disconnect", (packet: IDisconnectPacket) => {
    const why = packet.properties?.reasonString;
    setConnection({ error: `the broker disconnected this tab: DISCONNECT ${reasonText("DISCONNECT", packet.reasonCode ?? 0, 5)}${why ? ` (${why.slice(0, 200)})` : ""}` });
  });
  client.on("message", (topic, payload, packet) => {
    const ts = Date.now();
    if (watchers.size > 0) {
      watchers.route({ topic, payload, qos: packet.qos, retain: packet.retain, ts, props: level === 5 ? messageProperties(packet) : undefined });
      // With a watch as wide as `#`, the fleet's filters no longer pick what arrives.
      if (!liveFilters.some((f) => topicMatches(f, topic))) return;
    }
    if (payload.byteLength > MAX_LIVE_PAYLOAD_BYTES) return;
    batcher.push({ topic, payload: decoder.decode(payload), bytes: payload, retain: packet.retain, ts });
  });
  open();
  return () => {
    stopFollowingRules();
    stopped = true;
    if (timer) clearTimeout(timer);
    batcher.dispose();
    watchers.dispose();
    store.setState({ mqtt: null });
    // Strict Mode mounts effects twice in dev (docs/architecture.md, gotcha 7). A client never connected has
    // no stream for end() to close (MQTT.js would throw): the pending open sees `stopped` instead.
    if (opened) client.end(true);
  };
}
