"use client";
import { useState } from "react";
import type { Command } from "@/lib/commands/lifecycle";
import { newKey, sendCommand } from "./send-command";
import styles from "./commands.module.css";

/** The device's `stop`, one click away from anything else on the page: the emergency stop. */
export function StopButton({ device, onSent }: { device: string; onSent: (c: Command) => void }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const stop = async () => {
    setSending(true);
    setProblem(null);
    try {
      const sent = await sendCommand(device, "stop", {}, newKey());
      if (sent.ok) onSent(sent.command);
      else setProblem(sent.message);
    } catch (err) {
      setProblem(err instanceof Error ? err.message : String(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <span className={styles.stop}>
      <button type="button" onClick={() => void stop()} disabled={sending} title={`Send stop to ${device} now`}>
        {sending ? "Stopping…" : "Stop"}
      </button>
      {problem && <span className="error small">{problem}</span>}
    </span>
  );
}
