/**
 * A simulated robot arm: its state, the telemetry it reports, and the commands it obeys.
 * Pure and deterministic for a given seed, so the simulator's behaviour is unit-tested.
 */

export const JOINTS = 6;
/** Degrees per second a joint moves at 100 % speed. */
const FULL_SPEED_DEG_S = 45;

export interface ArmState {
  id: string;
  site: string;
  seq: number;
  /** Current and target joint angles in degrees. */
  angles: number[];
  targets: number[];
  temp: number;
  current: number;
  stopped: boolean;
  /** Joint speed limit, percent of full speed (set_speed). */
  speed: number;
  /** Random stream state (mulberry32). */
  rand: number;
}

export function createArm(id: string, site: string, seed: number): ArmState {
  const arm: ArmState = { id, site, seq: 0, angles: [], targets: [], temp: 35, current: 0, stopped: false, speed: 100, rand: seed >>> 0 };
  for (let j = 0; j < JOINTS; j++) {
    arm.angles.push(Math.round(random(arm) * 180 - 90));
    arm.targets.push(arm.angles[j]!);
  }
  arm.temp = 35 + random(arm) * 5;
  return arm;
}

/** mulberry32: small, fast and good enough for plausible noise. */
export function random(arm: ArmState): number {
  let t = (arm.rand = (arm.rand + 0x6d2b79f5) >>> 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** Advances the arm by `dtS` seconds and returns the telemetry message it publishes. */
export function step(arm: ArmState, dtS: number): Record<string, unknown> {
  let moving = 0;
  for (let j = 0; j < JOINTS; j++) {
    if (!arm.stopped && random(arm) < 0.02 * dtS * 10) arm.targets[j] = round(random(arm) * 180 - 90, 1);
    const delta = arm.targets[j]! - arm.angles[j]!;
    const move = arm.stopped ? 0 : Math.sign(delta) * Math.min(Math.abs(delta), FULL_SPEED_DEG_S * (arm.speed / 100) * dtS);
    arm.angles[j] = round(arm.angles[j]! + move, 2);
    moving += Math.abs(move);
  }
  arm.current = round(0.4 + moving / (FULL_SPEED_DEG_S * dtS * JOINTS + 1e-9) * 2.5 + random(arm) * 0.1, 3);
  // Temperature follows load with a slow first-order lag around 35..70 °C.
  const targetTemp = 35 + arm.current * 10;
  arm.temp = round(arm.temp + (targetTemp - arm.temp) * Math.min(1, 0.05 * dtS) + (random(arm) - 0.5) * 0.2, 2);
  arm.seq++;
  return { seq: arm.seq, temp: arm.temp, current: arm.current, speed: arm.speed, joints: [...arm.angles] };
}

export interface CommandRequest {
  id: string;
  args?: unknown;
}

export type CommandReply = { id: string; ok: true; result: unknown } | { id: string; ok: false; error: string };

/**
 * What the arm advertises, retained, on `…/commands`: its kind (whose commands Fleetscope knows:
 * lib/commands/definitions.ts) and one command of its own.
 */
export const ARM_ADVERTISEMENT = {
  kind: "robot-arm",
  commands: [{ name: "home", description: "Move every joint to 0°", timeoutMs: 15_000 }],
};

/**
 * The commands every demo arm accepts: `stop`, `start`, `move_joint {joint, angle}`,
 * `set_speed {percent}`, `home` and `reboot` (the fleet restarts the arm's connection after it).
 */
export function applyCommand(arm: ArmState, name: string, req: CommandRequest): CommandReply {
  const args = (req.args ?? {}) as Record<string, unknown>;
  switch (name) {
    case "stop":
      arm.stopped = true;
      arm.targets = [...arm.angles];
      return { id: req.id, ok: true, result: { stopped: true } };
    case "start":
      arm.stopped = false;
      return { id: req.id, ok: true, result: { stopped: false } };
    case "move_joint": {
      const { joint, angle } = args;
      if (typeof joint !== "number" || !Number.isInteger(joint) || joint < 0 || joint >= JOINTS) {
        return { id: req.id, ok: false, error: `joint must be an integer 0..${JOINTS - 1}` };
      }
      if (typeof angle !== "number" || !Number.isFinite(angle) || angle < -180 || angle > 180) {
        return { id: req.id, ok: false, error: "angle must be a number of degrees in -180..180" };
      }
      if (arm.stopped) return { id: req.id, ok: false, error: "arm is stopped; send start first" };
      arm.targets[joint] = angle;
      return { id: req.id, ok: true, result: { joint, target: angle } };
    }
    case "set_speed": {
      const { percent } = args;
      if (typeof percent !== "number" || !Number.isFinite(percent) || percent < 1 || percent > 100) {
        return { id: req.id, ok: false, error: "percent must be a number in 1..100" };
      }
      arm.speed = percent;
      return { id: req.id, ok: true, result: { speed: percent } };
    }
    case "home":
      if (arm.stopped) return { id: req.id, ok: false, error: "arm is stopped; send start first" };
      arm.targets = arm.targets.map(() => 0);
      return { id: req.id, ok: true, result: { targets: [...arm.targets] } };
    case "reboot":
      // A controller powers up with motion disabled: whatever was lost while it was away, it
      // comes back holding still until told to start.
      arm.stopped = true;
      arm.targets = [...arm.angles];
      arm.speed = 100;
      return { id: req.id, ok: true, result: { rebooting: true, comesBack: "stopped" } };
    default:
      return { id: req.id, ok: false, error: `unknown command ${name}` };
  }
}

export interface FaultShares {
  /** Share of commands the arm fails with a drive fault, 0..1. */
  failures: number;
  /** Share of replies that never leave the arm, 0..1. */
  lostReplies: number;
}

export type ReplyPlan = { delayMs: number; fault: string | null; lost: boolean };

/**
 * How the arm answers this command: after a controller's delay (tens to hundreds of ms), now and
 * then with a drive fault instead of obeying, now and then never (a reply lost on the way).
 * `stop` never faults: an emergency stop is the one command a drive always takes.
 */
export function planReply(arm: ArmState, name: string, shares: FaultShares): ReplyPlan {
  const delayMs = Math.round(30 + random(arm) * random(arm) * 600);
  const fault = name !== "stop" && random(arm) < shares.failures ? `joint ${Math.floor(random(arm) * JOINTS)}: drive fault (following error)` : null;
  return { delayMs, fault, lost: random(arm) < shares.lostReplies };
}
