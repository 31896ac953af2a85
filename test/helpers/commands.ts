/** A move_joint command for arm-01 as the service records it, for tests to vary. */
import { createCommand, type Command, type NewCommand } from "../../lib/commands/lifecycle";

let n = 0;

export const sampleCommand = (over: Partial<NewCommand> = {}): Command =>
  createCommand({
    id: `cmd-${n++}`,
    key: null,
    device: "arm-01",
    site: "plant-a",
    name: "move_joint",
    args: { joint: 1, angle: 30 },
    topic: "fleet/plant-a/arm-01/cmd/move_joint",
    actor: "ops",
    createdAt: 1_000,
    timeoutMs: 5_000,
    confirm: { kind: "reply" },
    ...over,
  });
