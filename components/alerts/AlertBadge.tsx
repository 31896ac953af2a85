"use client";
import Link from "next/link";
import { useCallback, useState } from "react";
import { useEvery } from "../commands/useEvery";
import type { AlertItem } from "@/lib/alerts/alert-list";
import { alertApi } from "./alerts-api";
import s from "./alerts.module.css";

const POLL_MS = 5000;

/** The header's count of firing alerts (with no data too), a link to them; quiet when none fire. */
export function AlertBadge() {
  const [firing, setFiring] = useState<number | null>(null);
  const load = useCallback(async (signal: AbortSignal) => {
    try {
      const body = await alertApi<{ alerts: AlertItem[]; next: string | null }>("/api/alerts?state=firing,firing_no_data&limit=100", { method: "GET", signal });
      setFiring(body.next ? 100 : body.alerts.length);
    } catch {
      if (!signal.aborted) setFiring(null);
    }
  }, []);
  useEvery(load, POLL_MS);
  if (!firing) return <Link href="/alerts" className={s.badgeQuiet} data-testid="alert-badge" data-firing="0">Alerts</Link>;
  return (
    <Link href="/alerts?state=firing,firing_no_data" className={s.badge} data-testid="alert-badge" data-firing={firing} title="Alerts firing now">
      {firing >= 100 ? "100+" : firing} firing
    </Link>
  );
}
