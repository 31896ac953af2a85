/**
 * Command definitions: what a device accepts, how to check its arguments, how long to wait and
 * what counts as done. They come from the device's kind (built in, below) and from what the device
 * advertises on its retained `fleet/<site>/<id>/commands` topic; advertised ones win by name.
 */
import { z } from "zod";
import { NO_ARGS, argsSchemaSchema, commandName, type ArgsSchema } from "../devices/command-args";
import type { ConventionId } from "../devices/convention";

/**
 * What confirms a command on the device, not just at the broker:
 * - `reply`: a `{id, ok, result|error}` on `cmd/<name>/reply` (or the MQTT 5 response topic);
 * - `echo`: the device's own state shows it done — a telemetry field equal to an argument, or a
 *   live `status` message (a device that rebooted says `online` again).
 */
export type ConfirmRule =
  | { kind: "reply" }
  /** The device's convention writes the request and judges what confirms it (convention-commands.ts). */
  | { kind: "convention"; convention: ConventionId; confirm: "reply" | "echo" }
  | { kind: "echo"; stream: "telemetry"; field: string; equalsArg: string; tolerance?: number }
  | { kind: "echo"; stream: "status"; equals: "online" | "offline" };

export interface CommandDefinition {
  name: string;
  description: string;
  args: ArgsSchema;
  timeoutMs: number;
  confirm: ConfirmRule;
  /** An offline device: refuse the command, or send it anyway (the broker may queue it). */
  whenOffline: "reject" | "send";
  source: "kind" | "advertised";
  /** Where the request goes, when the convention says (else the demo layout's `cmd/<name>`). */
  topic?: string;
}

export const MIN_TIMEOUT_MS = 100;
export const MAX_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_TIMEOUT_MS = 10_000;

const confirmSchema = z.union([
  z.object({ kind: z.literal("reply") }),
  z.object({ kind: z.literal("echo"), stream: z.literal("telemetry"), field: z.string().min(1).max(200), equalsArg: z.string().min(1), tolerance: z.number().min(0).optional() }),
  z.object({ kind: z.literal("echo"), stream: z.literal("status"), equals: z.enum(["online", "offline"]) }),
]);

/**
 * A name a request may ask for: a demo command's, or a convention's, which is the device's own
 * word (a Sparkplug metric `Outputs/LED 1`, a Homie `node.prop`). Whether the device has it is
 * the definitions' to say; this only bounds it.
 */
export const requestedCommandName = z.string().min(1, "must not be empty").max(200, "is at most 200 characters").regex(/^[^\u0000-\u001f\u007f]*$/, "must not hold control characters");

const advertisedCommand = z.object({
  name: commandName,
  description: z.string().max(500).default(""),
  args: argsSchemaSchema.default(NO_ARGS),
  timeoutMs: z.number().int().min(MIN_TIMEOUT_MS).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
  confirm: confirmSchema.default({ kind: "reply" }),
  whenOffline: z.enum(["reject", "send"]).default("reject"),
});

const advertisement = z.object({
  kind: z.string().max(64).optional(),
  commands: z.array(z.unknown()).max(100).default([]),
});

export interface Advertisement {
  kind: string | null;
  commands: CommandDefinition[];
  /** Advertised commands that did not parse, in words: shown, never fatal. */
  problems: string[];
}

/** Parses a device's advertisement; a broken entry is skipped and said, the rest still count. */
export function parseAdvertisement(payload: string): Advertisement | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { error: "the advertisement is not JSON" };
  }
  const ad = advertisement.safeParse(json);
  if (!ad.success) return { error: "the advertisement must be an object { kind?, commands: [...] }" };
  const commands: CommandDefinition[] = [];
  const problems: string[] = [];
  ad.data.commands.forEach((c, i) => {
    const parsed = advertisedCommand.safeParse(c);
    if (!parsed.success) return void problems.push(`command ${i}: ${parsed.error.issues.map((x) => `${x.path.join(".")} ${x.message}`).join("; ")}`);
    const at = commands.findIndex((d) => d.name === parsed.data.name);
    if (at >= 0) {
      problems.push(`command ${i}: ${parsed.data.name} is advertised twice; the last one counts`);
      commands.splice(at, 1);
    }
    commands.push({ ...(parsed.data as Omit<CommandDefinition, "source">), source: "advertised" });
  });
  return { kind: ad.data.kind ?? null, commands, problems };
}

const noArgs = (name: string, description: string, rest: Partial<CommandDefinition> = {}): CommandDefinition => ({
  name,
  description,
  args: NO_ARGS,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  confirm: { kind: "reply" },
  whenOffline: "reject",
  source: "kind",
  ...rest,
});

export const ROBOT_ARM = "robot-arm";

/** The demo robot arm (lib/sim/arm.ts obeys these). */
const ROBOT_ARM_COMMANDS: CommandDefinition[] = [
  // An emergency stop is worth trying even when the arm looks offline: its status may be stale.
  noArgs("stop", "Stop every joint where it is", { timeoutMs: 5_000, whenOffline: "send" }),
  noArgs("start", "Resume motion after a stop"),
  {
    name: "move_joint",
    description: "Move one joint to an angle",
    args: {
      type: "object",
      properties: {
        joint: { type: "integer", minimum: 0, maximum: 5, description: "joint index" },
        angle: { type: "number", minimum: -180, maximum: 180, "x-unit": "°", description: "target angle" },
      },
      required: ["joint", "angle"],
      additionalProperties: false,
    },
    timeoutMs: DEFAULT_TIMEOUT_MS,
    confirm: { kind: "reply" },
    whenOffline: "reject",
    source: "kind",
  },
  {
    name: "set_speed",
    description: "Set the joint speed limit; done when telemetry reports it",
    args: {
      type: "object",
      properties: { percent: { type: "number", minimum: 1, maximum: 100, "x-unit": "%", description: "share of full speed" } },
      required: ["percent"],
      additionalProperties: false,
    },
    timeoutMs: DEFAULT_TIMEOUT_MS,
    confirm: { kind: "echo", stream: "telemetry", field: "speed", equalsArg: "percent", tolerance: 0.01 },
    whenOffline: "reject",
    source: "kind",
  },
  noArgs("reboot", "Restart the controller; done when the arm says online again, stopped until it gets start", {
    timeoutMs: 20_000,
    confirm: { kind: "echo", stream: "status", equals: "online" },
  }),
];

const KINDS: Record<string, CommandDefinition[]> = { [ROBOT_ARM]: ROBOT_ARM_COMMANDS };

/**
 * A device's kind: what it advertises, else what its telemetry looks like (an arm reports joint
 * angles), else none.
 */
export function kindOf(fields: readonly string[], advertised: string | null): string | null {
  if (advertised) return advertised;
  return fields.includes("joints.0") ? ROBOT_ARM : null;
}

/** Every command a device accepts, sorted by name. */
export function commandsFor(fields: readonly string[], ad: Advertisement | null): CommandDefinition[] {
  const byName = new Map<string, CommandDefinition>();
  for (const c of KINDS[kindOf(fields, ad?.kind ?? null) ?? ""] ?? []) byName.set(c.name, c);
  for (const c of ad?.commands ?? []) byName.set(c.name, c);
  // Names are ASCII identifiers: a plain comparison, not a collator per call (this runs per command).
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
