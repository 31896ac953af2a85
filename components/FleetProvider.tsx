"use client";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";
import { useStore } from "zustand";
import type { Rule } from "@/lib/devices/conventions/rules";
import { resolveWsUrl, startLiveFeed } from "@/lib/browser/live-feed";
import type { ProtocolChoice } from "@/lib/mqtt/protocol";
import { ALARM_WINDOW_MS } from "@/lib/state/device-events";
import { createFleetStore, type FleetState, type FleetStore } from "@/lib/state/fleet-store";
import { PastProvider } from "./timetravel/PastProvider";
import { getConventionState } from "@/lib/api-client/conventions";
import { listDevices } from "@/lib/api-client/devices";
import { listMessages } from "@/lib/api-client/messages";
import { errorText } from "@/lib/api-client/request";

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
    listDevices(abort.signal).then(
      (body) => s.getState().loadKnown(body.devices),
      (err: unknown) => !abort.signal.aborted && s.getState().knownFailed(errorText(err)),
    );
    // What the bridge's conventions learned before this tab opened (Sparkplug's metric names
    // from BIRTHs it never saw): without it, live DATA would name metrics by alias only.
    getConventionState(abort.signal).then(
      (body) => s.getState().conventions.restore(body.state),
      () => undefined,
    );
    // Alarms of the last hour, so the overview's counts do not start from zero.
    const alarms = new URLSearchParams({ topic: "fleet/+/+/alarm", from: String(Date.now() - ALARM_WINDOW_MS), limit: "1000" });
    listMessages(alarms, abort.signal).then(
      (body) => s.getState().loadEvents(body.messages.filter((m) => m.encoding === "utf8").map((m) => ({ topic: m.topic, payload: m.payload, retain: false, ts: m.ts }))),
      () => undefined, // the device list reports store trouble already
    );
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
