"use client";
import Link from "next/link";
import { useState } from "react";
import { STATE_LABEL } from "@/lib/alerts/alert-list";
import { cardAlert } from "@/lib/alerts/overlay";
import { useActor } from "../auth/ActorProvider";
import { acknowledgeAlert } from "@/lib/api-client/alerts";
import { useAlertOverlay } from "./AlertOverlay";
import s from "./alerts.module.css";

/** A card's firing alert, linked to it on /alerts; operators and admins acknowledge it inline. */
export function CardAlert({ device }: { device: string }) {
  const overlay = useAlertOverlay();
  const { can } = useActor();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const a = overlay ? cardAlert(overlay.alerts, device) : null;
  if (!a) return null;
  const ack = async () => {
    setBusy(true);
    try {
      await acknowledgeAlert(a.id, {});
      setError(null);
      overlay!.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <span className={s.cardAlert} data-testid="card-alert" data-state={a.state}>
      <Link href={`/alerts?alert=${encodeURIComponent(a.id)}`} prefetch={false} className={s[`state_${a.state}`]} title={`${a.ruleName} (${a.severity}): ${STATE_LABEL[a.state]}`}>
        {STATE_LABEL[a.state]}
      </Link>
      {a.ack ? (
        <span className="muted" title={`acknowledged by ${a.ack.by}`}>✓ ack</span>
      ) : (
        can.acknowledge && (
          <button type="button" className={s.inline} onClick={() => void ack()} disabled={busy} aria-label={`Acknowledge ${a.ruleName} on ${device}`}>
            ack
          </button>
        )
      )}
      {error && (
        <span className="error" role="alert" title={error}>
          !
        </span>
      )}
    </span>
  );
}
