"use client";
import { useCallback, useEffect, useState } from "react";
import type { CommandDefinition } from "@/lib/commands/definitions";
import { isFinal, type Command } from "@/lib/commands/lifecycle";
import { CommandForm } from "./CommandForm";
import { CommandLifecycle } from "./CommandLifecycle";
import { CommandTable } from "./CommandTable";
import { useActor } from "../auth/ActorProvider";
import { getDevice } from "@/lib/api-client/devices";
import { listCommands } from "@/lib/api-client/commands";
import { useCommand } from "./useCommand";
import { useEvery } from "./useEvery";
import { useFleet } from "../FleetProvider";
import { commandAsOf } from "@/lib/timetravel/command-as-of";

const HISTORY = 20;
const HISTORY_REFRESH_MS = 3_000;

type Loaded<T> = { state: "loading" } | { state: "error"; message: string } | { state: "ok"; value: T };

/** What was wrong with what the device advertised: its operator is the one who can fix it. */
function AdvertisementProblems({ problems }: { problems: string[] }) {
  return problems.map((p) => (
    <p key={p} className="error small">
      Its advertisement: {p}
    </p>
  ));
}

/** The device page's commands: a form per definition, the last command's lifecycle live, and the device's history. */
export function CommandPanel({ device }: { device: string }) {
  const [defs, setDefs] = useState<Loaded<{ commands: CommandDefinition[]; commandProblems: string[]; convention: string }>>({ state: "loading" });
  const [history, setHistory] = useState<Loaded<Command[]>>({ state: "loading" });
  const [shown, setShown] = useState<Command | null>(null);
  const { command, error } = useCommand(shown);
  const { username, role, can } = useActor();
  // In a past view (`?at=`), the commands sent by then, each as it stood then.
  const pastAt = useFleet((s) => s.past?.at ?? null);

  useEffect(() => {
    const abort = new AbortController();
    getDevice(device, abort.signal).then(
      (d) => setDefs({ state: "ok", value: { commands: d.commands, commandProblems: d.commandProblems, convention: d.convention } }),
      (err: unknown) => !abort.signal.aborted && setDefs({ state: "error", message: err instanceof Error ? err.message : String(err) }),
    );
    return () => abort.abort();
  }, [device]);

  const loadHistory = useCallback(
    (signal?: AbortSignal) =>
      listCommands({ device, limit: String(HISTORY), ...(pastAt !== null && { to: String(pastAt) }) }, signal).then(
        (b) => setHistory({ state: "ok", value: pastAt === null ? b.commands : b.commands.map((c) => commandAsOf(c, pastAt)) }),
        (err: unknown) => !signal?.aborted && setHistory({ state: "error", message: err instanceof Error ? err.message : String(err) }),
      ),
    [device, pastAt],
  );
  // Commands from other tabs, the API or the Stop above show up, and rows finish, without a reload.
  useEvery(loadHistory, HISTORY_REFRESH_MS);
  const show = (c: Command) => {
    setShown(c);
    void loadHistory();
  };
  // The history picks up the shown command's new state once it is final.
  const finalState = command && isFinal(command.state) ? command.state : null;
  useEffect(() => {
    if (finalState) void loadHistory();
  }, [finalState, loadHistory]);

  if (defs.state === "ok" && defs.value.commands.length === 0 && history.state === "ok" && history.value.length === 0) {
    return (
      <section className="card" aria-label="Commands">
        <strong>Commands</strong>
        {defs.value.convention === "demo" ? (
          <p className="muted small">
            This device accepts no commands Fleetscope knows of. A device lists its own by publishing, retained, on <code>fleet/&lt;site&gt;/{device}/commands</code> a JSON{" "}
            <code>{`{"commands":[{"name":"calibrate","args":{"type":"object","properties":{…}}}]}`}</code>.
          </p>
        ) : defs.value.convention.startsWith("rule:") ? (
          <p className="muted small">
            This device accepts no commands: its rule names none. Add <code>commands</code> to the rule (see the README, &quot;Your own rules&quot;).
          </p>
        ) : (
          <p className="muted small">This device has said of no command it takes: its convention offers those it describes (a settable property, a writable metric, a command topic).</p>
        )}
        <AdvertisementProblems problems={defs.value.commandProblems} />
      </section>
    );
  }
  return (
    <section className="card" aria-label="Commands">
      <strong>Commands</strong>
      {defs.state === "loading" && <p className="muted">Loading…</p>}
      {defs.state === "error" && <p className="error">Could not load the device&apos;s commands: {defs.message}</p>}
      {defs.state === "ok" && defs.value.commands.length > 0 && can.command && <CommandForm device={device} definitions={defs.value.commands} onSent={show} />}
      {defs.state === "ok" && defs.value.commands.length > 0 && !can.command && (
        <p className="muted small" data-testid="commands-not-allowed">
          Sending commands takes the operator role; {username} is a {role}. The history below is yours to see.
        </p>
      )}
      {defs.state === "ok" && <AdvertisementProblems problems={defs.value.commandProblems} />}
      {command && <CommandLifecycle command={command} />}
      {error && <p className="error">Lost track of the command: {error} (retrying)</p>}
      {history.state === "error" && <p className="error">Could not load the command history: {history.message}</p>}
      {history.state === "ok" && history.value.length > 0 && (
        <details open>
          <summary className="muted small">{history.value.length === 1 ? "The last command" : `The last ${history.value.length} commands`} to this device{pastAt !== null && " by the moment shown"}</summary>
          <CommandTable commands={history.value} showDevice={false} selected={command?.id ?? null} onSelect={setShown} />
        </details>
      )}
    </section>
  );
}
