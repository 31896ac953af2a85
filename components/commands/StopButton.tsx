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
      // A refused stop is recorded too (rejected), and shown like a sent one.
      if (sent.command) onSent(sent.command);
      if (!sent.ok) setProblem(`Stop was NOT sent: ${sent.message}`);
    } catch (err) {
      setProblem(`Stop was NOT sent: the server did not answer (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      setSending(false);
    }
  };
  return (
    <span className={styles.stop} role="group" aria-label="Emergency stop">
      <button type="button" onClick={() => void stop()} disabled={sending} title={`Send stop to ${device} now`}>
        {sending ? "Stopping…" : "Stop"}
      </button>
      {problem && <span className="error small">{problem}</span>}
    </span>
  );
}
