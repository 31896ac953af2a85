"use client";
import { createContext, useCallback, useContext, useState, type ReactNode } from "react";
import type { AlertItem } from "@/lib/alerts/alert-list";
import type { ListedRule } from "@/lib/alerts/overlay";
import { useEvery } from "../commands/useEvery";
import { listAlertRules, listAlerts, parsedRules } from "@/lib/api-client/alerts";

/** Rules and alerts change at human pace: read this often, never per message. */
const POLL_MS = 10_000;
/** A device's alerts asked for: those open at some time in this long before now (their firing bands). */
const HISTORY_MS = 24 * 3_600_000;
const MAX_ALERTS = 500;

export interface AlertOverlay {
  rules: ListedRule[];
  alerts: AlertItem[];
  /** After an acknowledge: read again now. */
  reload: () => void;
}

const Ctx = createContext<AlertOverlay | null>(null);

/** Null outside an AlertOverlayProvider: nothing is drawn. */
export const useAlertOverlay = () => useContext(Ctx);

/**
 * The alert rules and alerts for the cards and charts inside it, read every POLL_MS: with
 * `device`, that device's alerts of the last HISTORY_MS with their transitions (its charts' firing
 * bands); without, the firing alerts of every device (the cards). What failed to load keeps what
 * was read last: the overlay is an aid, and /alerts shows the errors.
 */
export function AlertOverlayProvider({ device, children }: { device?: string; children: ReactNode }) {
  const [overlay, setOverlay] = useState<Omit<AlertOverlay, "reload">>({ rules: [], alerts: [] });
  const [asked, setAsked] = useState(0);
  const load = useCallback(
    async (signal: AbortSignal) => {
      const q = new URLSearchParams(
        device ? { device, from: String(Date.now() - HISTORY_MS), transitions: "true", limit: String(MAX_ALERTS) } : { state: "firing,firing_no_data", limit: String(MAX_ALERTS) },
      );
      try {
        const [rules, alerts] = await Promise.all([listAlertRules(signal), listAlerts(q, signal)]);
        // A rule that no longer parses draws no line.
        setOverlay({ rules: parsedRules(rules.rules), alerts: alerts.alerts });
      } catch {
        // Kept as it was (see above).
      }
    },
    [device, asked], // Dependencies on purpose: `asked` reloads now
  );
  useEvery(load, POLL_MS);
  const reload = useCallback(() => setAsked((n) => n + 1), []);
  return <Ctx.Provider value={{ ...overlay, reload }}>{children}</Ctx.Provider>;
}
