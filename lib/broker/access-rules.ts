/**
 * Who may publish and subscribe to what on the embedded broker (issue 9). Pure: a principal (who
 * the connection authenticated as) and a topic in, a decision out; lib/broker/access.ts wires
 * these into Aedes and logs the refusals.
 *
 * - service (the bridge, the simulator's supervisor, the server's command publisher): anything.
 * - browser viewer: subscribes to anything, publishes nothing.
 * - browser operator/admin: publishes through the /topics tool, but never to a topic with a `cmd`
 *   level: commands go through POST /api/commands so every one is audited, and a forged reply
 *   would corrupt the audit too.
 * - device of another convention (`tasmota=plug-1` in FLEETSCOPE_DEVICE_CREDENTIALS): publishes
 *   and subscribes only within the topics its convention gives its name (Convention.deviceAccess:
 *   a Tasmota device its `tele/<t>/#` and `stat/<t>/#`, reading `cmnd/<t>/#`).
 * - device `<id>`: publishes only under `fleet/<site>/<id>/…` (any site), never a command request
 *   `fleet/<site>/<id>/cmd/<name>` (its replies `…/cmd/<name>/reply` are fine); subscribes only
 *   within `fleet/+/<id>/cmd/#`.
 * - anonymous (only with FLEETSCOPE_ANONYMOUS_DEVICES=on): has no id to confine it to, so it may
 *   publish anything but command requests, and subscribe only to command topics.
 * - lab (anonymous with FLEETSCOPE_AUTH=off, the trusted single-user lab): anything, as before
 *   there was access control; the UI shows the "auth off" badge.
 * Nobody but the broker publishes under `$SYS` [MQTT-4.7.2-1].
 */
import { DEMO_ROOT } from "../devices/conventions/demo";
import type { ConventionId } from "../devices/convention";
import { filterWithin, topicMatches } from "../mqtt/topic";
import type { Role } from "../auth/roles";
import { roleAllows } from "../auth/roles";

export type Principal =
  | { kind: "service"; name: string }
  | { kind: "browser"; username: string; role: Role }
  /** `access`: the topics a convention's device may use, from its convention; unset for the demo layout. */
  | { kind: "device"; id: string; convention?: ConventionId; access?: { publish: string[]; subscribe: string[] } }
  | { kind: "anonymous" }
  | { kind: "lab" };

export type Decision = { ok: true } | { ok: false; reason: string };

const allow: Decision = { ok: true };
const refuse = (reason: string): Decision => ({ ok: false, reason });

/** `fleet/<site>/<device>/cmd/<name>`: a command request (the demo convention: docs/architecture.md). */
function isCommandRequest(levels: string[]): boolean {
  return levels.length === 5 && levels[0] === DEMO_ROOT && levels[3] === "cmd";
}

export function decidePublish(p: Principal, topic: string): Decision {
  if (topic.startsWith("$")) return refuse("topics starting with $ are the broker's");
  const levels = topic.split("/");
  switch (p.kind) {
    case "service":
    case "lab":
      return allow;
    case "browser":
      if (!roleAllows(p.role, "operator")) return refuse(`a ${p.role} may not publish`);
      if (levels.includes("cmd")) return refuse("commands go through POST /api/commands, or a device page's Commands panel");
      return allow;
    case "device":
      if (p.access) {
        return p.access.publish.some((f) => topicMatches(f, topic)) ? allow : refuse(`${p.convention} device ${p.id} publishes only to ${p.access.publish.join(", ")}`);
      }
      if (levels.length < 4 || levels[0] !== DEMO_ROOT || levels[2] !== p.id) return refuse(`device ${p.id} publishes only under ${DEMO_ROOT}/+/${p.id}/#`);
      if (isCommandRequest(levels)) return refuse("a device may not send commands");
      return allow;
    case "anonymous":
      if (isCommandRequest(levels)) return refuse("an anonymous client may not send commands");
      return allow;
  }
}

/** True when every topic `filter` can match lies within `fleet/+/<id>/cmd/#` (with `id` null: any device's). */
function withinCommands(levels: string[], id: string | null): boolean {
  if (levels.length < 4 || levels[0] !== DEMO_ROOT) return false;
  const site = levels[1]!;
  if (site === "#") return false;
  if (id === null ? levels[2] === "#" : levels[2] !== id) return false;
  return levels[3] === "cmd";
}

export function decideSubscribe(p: Principal, filter: string): Decision {
  const levels = filter.split("/");
  switch (p.kind) {
    case "service":
    case "browser":
    case "lab":
      return allow;
    case "device":
      if (p.access) {
        return p.access.subscribe.some((f) => filterWithin(filter, f)) ? allow : refuse(`${p.convention} device ${p.id} subscribes only within ${p.access.subscribe.join(", ")}`);
      }
      return withinCommands(levels, p.id) ? allow : refuse(`device ${p.id} subscribes only within ${DEMO_ROOT}/+/${p.id}/cmd/#`);
    case "anonymous":
      return withinCommands(levels, null) ? allow : refuse(`an anonymous client subscribes only within ${DEMO_ROOT}/+/+/cmd/#`);
  }
}

export function describePrincipal(p: Principal): string {
  switch (p.kind) {
    case "service":
      return `service ${p.name}`;
    case "browser":
      return `browser of ${p.username} (${p.role})`;
    case "device":
      return p.convention && p.convention !== "demo" ? `${p.convention} device ${p.id}` : `device ${p.id}`;
    case "anonymous":
      return "anonymous";
    case "lab":
      return "anonymous (auth off)";
  }
}
