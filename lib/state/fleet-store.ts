/**
 * The Zustand store the UI reads, made by a factory per provider (never a module global under
 * the App Router). Slices: the broker connection and the live devices.
 */
import { createStore } from "zustand/vanilla";
import type { DeviceWithValues } from "../devices/model";
import type { MqttHandle } from "./connection";
import type { ProtocolLevel } from "../mqtt/protocol";
import { applyEventMessages, type DeviceEvents } from "./device-events";
import { conventionsWith } from "../devices/builtin";
import type { Rule } from "../devices/conventions/rules";
import { Interpreter } from "../devices/registry";
import { applyReadings, mergeKnownDevices, readBatch, withStoredSeries, type LiveDevices, type LiveMessage } from "./live-devices";
import type { Point } from "./live-series";
import type { PastView } from "./past-view";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline" | "error";

export interface Connection {
  state: ConnectionState;
  url: string;
  error: string | null;
  /** Failed attempts since the last successful connection. */
  attempts: number;
  /** When the next attempt is due (epoch ms), while reconnecting. */
  retryAt: number | null;
  /** Successful connections so far: a change after the first means data may have been missed. */
  sessions: number;
  /** The protocol level the broker accepted at the last connect; null before the first. */
  protocol: ProtocolLevel | null;
}

export interface FleetState {
  connection: Connection;
  /** Reconnects now instead of waiting for the backoff (set by the live feed). */
  retryNow: (() => void) | null;
  /** Subscribe and publish on the tab's connection (set by the live feed). */
  mqtt: MqttHandle | null;
  /**
   * The device conventions, with what they learned from this tab's messages: not state React
   * reads, but the reader of the messages that make it, so it lives beside it.
   */
  conventions: Interpreter;
  devices: LiveDevices;
  /** Alarms, logs and status changes per device, newest first, bounded. */
  events: DeviceEvents;
  /** GET /api/devices: still loading, loaded, or the error to show. */
  known: { state: "loading" | "loaded" | "error"; error: string | null };
  setConnection(patch: Partial<Connection>): void;
  applyBatch(batch: LiveMessage[]): void;
  loadKnown(devices: DeviceWithValues[]): void;
  /** Stored messages (alarms of the last hour) folded into the event feeds. */
  loadEvents(messages: LiveMessage[]): void;
  knownFailed(error: string): void;
  /** Stored points (a past view's sparklines, GET /api/series) for device fields with no series yet. */
  loadSeries(stored: { device: string; field: string; points: Point[] }[]): void;
  /** Bumped when the conventions change, so the live feed subscribes to what they read now. */
  rulesVersion: number;
  /** The user rules in force changed: live messages are read with these from now on. */
  setRules(rules: readonly Rule[]): void;
  /**
   * Set in a store that shows the past (made for a `?at=` cursor, fed from the store instead of
   * the broker); null in the tab's live store.
   */
  past: PastView | null;
  setPast(patch: Partial<PastView>): void;
}

export function createFleetStore(url: string, initialRules: readonly Rule[] = [], past: PastView | null = null) {
  let rules = initialRules;
  let rulesKey = JSON.stringify(rules);
  const conventions = new Interpreter(conventionsWith(rules));
  return createStore<FleetState>()((set) => ({
    conventions,
    connection: { state: "connecting", url, error: null, attempts: 0, retryAt: null, sessions: 0, protocol: null },
    retryNow: null,
    mqtt: null,
    devices: new Map(),
    events: new Map(),
    known: { state: "loading", error: null },
    rulesVersion: 0,
    past,
    setPast: (patch) => set((s) => (s.past ? { past: { ...s.past, ...patch } } : {})),
    setConnection: (patch) => set((s) => ({ connection: { ...s.connection, ...patch } })),
    applyBatch: (batch) =>
      set((s) => {
        const read = readBatch(batch, s.conventions);
        return { devices: applyReadings(s.devices, read), events: applyEventMessages(s.events, read) };
      }),
    loadKnown: (devices) => set((s) => ({ devices: mergeKnownDevices(s.devices, devices), known: { state: "loaded", error: null } })),
    knownFailed: (error) => set({ known: { state: "error", error } }),
    loadSeries: (stored) => set((s) => ({ devices: withStoredSeries(s.devices, stored) })),
    // Stored messages are read apart from the live stream: old ones must not teach the live
    // conventions anything (a stale Sparkplug seq, say).
    loadEvents: (messages) => set((s) => ({ events: applyEventMessages(s.events, readBatch(messages, new Interpreter(conventionsWith(rules)))) })),
    setRules: (next) => {
      const key = JSON.stringify(next);
      if (key === rulesKey) return;
      rules = next;
      rulesKey = key;
      conventions.setConventions(conventionsWith(next));
      set((s) => ({ rulesVersion: s.rulesVersion + 1 }));
    },
  }));
}

export type FleetStore = ReturnType<typeof createFleetStore>;
