"use client";
import { MAX_DECIMALS } from "@/lib/devices/units";

/** Decimals shown for one field: automatic, or 0…MAX_DECIMALS. */
export function DecimalsPicker({ field, value, onChange }: { field: string; value: number | null; onChange: (decimals: number | null) => void }) {
  return (
    <label className="decimals small muted">
      <span className="sr-only">Decimals for {field}</span>
      <select value={value ?? "auto"} onChange={(e) => onChange(e.target.value === "auto" ? null : Number(e.target.value))}>
        <option value="auto">auto</option>
        {Array.from({ length: MAX_DECIMALS + 1 }, (_, d) => (
          <option key={d} value={d}>
            {d === 1 ? "1 decimal" : `${d} decimals`}
          </option>
        ))}
      </select>
    </label>
  );
}
