"use client";
import { useMemo } from "react";
import { firingBands, thresholdLines, type FiringBand, type ThresholdLine } from "@/lib/alerts/overlay";
import { useFleet } from "../FleetProvider";
import { useAlertOverlay } from "./AlertOverlay";

const NONE = { lines: [] as ThresholdLine[], bands: [] as FiringBand[] };

/** The threshold lines and firing bands a chart of `field` of `device` over [from, to] draws. */
export function useAlertMarks(device: string, field: string, from: number, to: number) {
  const overlay = useAlertOverlay();
  const lines = useThresholdLines(device, field);
  return useMemo(() => (overlay ? { lines, bands: firingBands(overlay.alerts, device, from, to, Date.now()) } : NONE), [overlay, lines, device, from, to]);
}

/** The threshold lines of `field` of `device`, the same array until the rules or alerts change. */
export function useThresholdLines(device: string, field: string | undefined): ThresholdLine[] {
  const overlay = useAlertOverlay();
  // Two strings of the device, not the device: its values change with every message.
  const group = useFleet((s) => s.devices.get(device)?.site ?? null);
  const convention = useFleet((s) => s.devices.get(device)?.convention ?? null);
  return useMemo(() => {
    if (!overlay || !field) return NONE.lines;
    const alerted = new Set(overlay.alerts.filter((a) => a.device === device).map((a) => a.rule));
    return thresholdLines(overlay.rules, { id: device, group, convention }, field, alerted);
  }, [overlay, device, field, group, convention]);
}
