import "server-only";
/**
 * What the alert service evaluates, from where it happens (lib/alerting/service.ts): each message
 * a bridge decodes (its `decoded` event), each command that reaches a final state (the command
 * service's `change`), each QoS flow that turns stuck and each PUBLISH resent with DUP (the trace
 * hub's `stuck` and `retransmitted`; packets its sampling skipped are not seen), turned into
 * observations (lib/alerts/observation.ts). Attached only while the service evaluates (it holds
 * the lease): a standby has nothing on its bridge's ingest path.
 */
import { observationsOf, type Observation } from "../alerts/observation";
import type { SeqFact, DeviceFacts } from "../devices/convention";
import type { DeviceId } from "../devices/model";

/** Command ids whose outcome was observed, remembered at most (a command's final state may be saved twice). */
const SEEN_COMMANDS = 10_000;

type Decoded = (topic: string, reading: { device: DeviceId | null; facts: DeviceFacts[]; seq: SeqFact | null }, ts: number) => void;
type CommandChange = (command: { id: string; device: string; name: string; state: string; error?: string }) => void;
type FlowEvent = (flow: { topic: string | null }) => void;

/** What a bridge offers: each decoded message (lib/bridge/bridge.ts `decoded`). */
export interface MessageSource {
  on(event: "decoded", listener: Decoded): unknown;
  off(event: "decoded", listener: Decoded): unknown;
}

/** What the command service offers: every saved change of a command (lib/command-service/service.ts `change`). */
export interface CommandSource {
  on(event: "change", listener: CommandChange): unknown;
  off(event: "change", listener: CommandChange): unknown;
}

/** What the trace hub offers: flows that turned stuck, PUBLISHes resent (lib/trace/hub.ts), and whose a topic is. */
export interface FlowSource {
  on(event: "stuck", listener: FlowEvent): unknown;
  on(event: "retransmitted", listener: FlowEvent): unknown;
  off(event: "stuck", listener: FlowEvent): unknown;
  off(event: "retransmitted", listener: FlowEvent): unknown;
}

export class AlertFeeds {
  private readonly bridges = new Set<MessageSource>();
  private readonly commandSources = new Set<CommandSource>();
  private readonly flowSources = new Map<FlowSource, (topic: string) => DeviceId | null>();
  private readonly seenCommands = new Set<string>();
  private attached = false;

  constructor(
    private readonly observe: (obs: Observation) => void,
    private readonly now: () => number,
  ) {}

  addBridge(bridge: MessageSource): void {
    this.bridges.add(bridge);
    if (this.attached) bridge.on("decoded", this.onDecoded);
  }

  addCommands(commands: CommandSource): void {
    this.commandSources.add(commands);
    if (this.attached) commands.on("change", this.onCommand);
  }

  addFlows(hub: FlowSource, deviceOfTopic: (topic: string) => DeviceId | null): void {
    this.flowSources.set(hub, deviceOfTopic);
    if (!this.attached) return;
    hub.on("stuck", this.onStuck);
    hub.on("retransmitted", this.onRetransmitted);
  }

  attach(): void {
    this.attached = true;
    for (const b of this.bridges) b.on("decoded", this.onDecoded);
    for (const c of this.commandSources) c.on("change", this.onCommand);
    for (const f of this.flowSources.keys()) {
      f.on("stuck", this.onStuck);
      f.on("retransmitted", this.onRetransmitted);
    }
  }

  detach(): void {
    this.attached = false;
    for (const b of this.bridges) b.off("decoded", this.onDecoded);
    for (const c of this.commandSources) c.off("change", this.onCommand);
    for (const f of this.flowSources.keys()) {
      f.off("stuck", this.onStuck);
      f.off("retransmitted", this.onRetransmitted);
    }
  }

  private readonly onDecoded: Decoded = (topic, reading, ts) => {
    if (reading.facts.length === 0) return;
    for (const obs of observationsOf(topic, reading, ts)) this.observe(obs);
  };

  private readonly onCommand: CommandChange = (c) => {
    if (c.state !== "succeeded" && c.state !== "failed" && c.state !== "timed_out" && c.state !== "rejected") return;
    if (this.seenCommands.has(c.id)) return;
    if (this.seenCommands.size >= SEEN_COMMANDS) this.seenCommands.clear();
    this.seenCommands.add(c.id);
    this.observe({ type: "command", device: { id: c.device as DeviceId }, t: this.now(), name: c.name, outcome: c.state, ...(c.error ? { error: c.error } : {}) });
  };

  private flowOf(outcome: "stuck" | "retransmitted"): FlowEvent {
    return (flow) => {
      if (!flow.topic) return;
      for (const deviceOf of this.flowSources.values()) {
        const device = deviceOf(flow.topic);
        if (device) return this.observe({ type: "flow", device: { id: device }, t: this.now(), topic: flow.topic, outcome });
      }
    };
  }

  private readonly onStuck = this.flowOf("stuck");
  private readonly onRetransmitted = this.flowOf("retransmitted");
}
