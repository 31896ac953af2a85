"use client";
import { useEffect, useState } from "react";
import { isFinal, type Command } from "@/lib/commands/lifecycle";
import { getDevice } from "@/lib/api-client/devices";
import { StopButton } from "./StopButton";
import { useActor } from "../auth/ActorProvider";
import { useCommand } from "./useCommand";
import styles from "./commands.module.css";

/** The device's emergency stop, in its page header, with how the last one went. */
export function DeviceStop({ device }: { device: string }) {
  const [hasStop, setHasStop] = useState(false);
  const [sent, setSent] = useState<Command | null>(null);
  const { command } = useCommand(sent);
  const { can } = useActor();

  useEffect(() => {
    const abort = new AbortController();
    getDevice(device, abort.signal).then(
      (d) => setHasStop(Boolean(d.commands.some((c) => c.name === "stop"))),
      () => undefined, // the Commands panel below says what went wrong
    );
    return () => abort.abort();
  }, [device]);

  if (!hasStop || !can.command) return null;
  return (
    <span className={styles.deviceStop}>
      <StopButton device={device} onSent={setSent} />
      {command && (
        <span className={styles[`state_${command.state}`]} data-testid="stop-state" title={command.error}>
          stop {command.state.replace("_", " ")}
          {isFinal(command.state) && command.error ? `: ${command.error}` : ""}
        </span>
      )}
    </span>
  );
}
