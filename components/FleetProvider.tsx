"use client";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import type { DeviceWithValues } from "@/lib/devices/model";
import type { Rule } from "@/lib/devices/conventions/rules";
import { resolveWsUrl, startLiveFeed } from "@/lib/browser/live-feed";
import type { ProtocolChoice } from "@/lib/mqtt/protocol";
import { ALARM_WINDOW_MS } from "@/lib/state/device-events";
import { createFleetStore, type FleetState, type FleetStore } from "@/lib/state/fleet-store";
import { PastProvider } from "./timetravel/PastProvider";

/** The store the views read: the tab's live one, or one showing the past (components/timetravel). */
export const FleetContext = createContext<FleetStore | null>(null);

/** Owns the per-tab store, the live MQTT feed and the first GET /api/devices. */
export function FleetProvider({ wsUrl, protocol, rules, children }: { wsUrl: string | null; protocol: ProtocolChoice; rules: Rule[]; children: ReactNode }) {
  const [store, setStore] = useState<FleetStore | null>(null);
  // By value: a refresh of the layout hands a new array with the same rules.
  const rulesKey = JSON.stringify(rules);
  const firstRules = useRef(rulesKey);

  useEffect(() => {
    const s = createFleetStore(resolveWsUrl(wsUrl, window.location), JSON.parse(firstRules.current) as Rule[]);
    setStore(s);
    const stop = startLiveFeed(s, protocol);
    const abort = new AbortController();
    fetch("/api/devices", { signal: abort.signal })
      .then(async (res) => {
        const body = (await res.json()) as { devices?: DeviceWithValues[]; error?: { message: string } };
        if (!res.ok || !body.devices) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        s.getState().loadKnown(body.devices);
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted) s.getState().knownFailed(err instanceof Error ? err.message : String(err));
      });
    // What the bridge's conventions learned before this tab opened (Sparkplug's metric names
    // from BIRTHs it never saw): without it, live DATA would name metrics by alias only.
    fetch("/api/conventions/state", { signal: abort.signal })
      .then(async (res) => {
        const body = (await res.json()) as { state?: Record<string, unknown> };
        if (res.ok && body.state) s.getState().conventions.restore(body.state);
      })
      .catch(() => undefined);
    // Alarms of the last hour, so the overview's counts do not start from zero.
    const alarms = new URLSearchParams({ topic: "fleet/+/+/alarm", from: String(Date.now() - ALARM_WINDOW_MS), limit: "1000" });
    fetch(`/api/messages?${alarms}`, { signal: abort.signal })
      .then(async (res) => {
        const body = (await res.json()) as { messages?: { ts: number; topic: string; payload: string; encoding: string }[] };
        if (!res.ok || !body.messages) return; // the device list reports store trouble already
        s.getState().loadEvents(body.messages.filter((m) => m.encoding === "utf8").map((m) => ({ topic: m.topic, payload: m.payload, retain: false, ts: m.ts })));
      })
      .catch(() => undefined);
    return () => {
      abort.abort();
      stop();
    };
  }, [wsUrl, protocol]);

  // A rule saved or deleted (the layout refreshed with the new list): read on with it, on the
  // same connection, keeping what the tab has seen.
  useEffect(() => {
    store?.getState().setRules(JSON.parse(rulesKey) as Rule[]);
  }, [store, rulesKey]);

  if (!store) return <p className="muted" role="status">Connecting…</p>;
  return (
    <FleetContext.Provider value={store}>
      <PastProvider live={store} rules={rulesKey}>
        {children}
      </PastProvider>
    </FleetContext.Provider>
  );
}

export function useFleet<T>(selector: (s: FleetState) => T): T {
  const store = useContext(FleetContext);
  if (!store) throw new Error("useFleet outside FleetProvider");
  return useStore(store, selector);
}
