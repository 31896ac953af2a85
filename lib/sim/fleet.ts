import "server-only";
/**
 * The demo fleet: one MQTT connection per robot arm, speaking the demo convention (docs/architecture.md).
 * Telemetry QoS 0 at `rateHz`; retained `status` QoS 1 with an `offline` Last Will; `alarm`
 * QoS 0 now and then; `log` QoS 1; `cmd/<name>` QoS 2 answered on `cmd/<name>/reply`.
 */
import mqtt, { type IPublishPacket, type MqttClient } from "mqtt";
import { demoTopic } from "../devices/conventions/demo";
import { ARM_ADVERTISEMENT, applyCommand, createArm, planReply, random, step, type ArmState, type CommandReply, type FaultShares } from "./arm";

export interface FleetOptions {
  url: string;
  /** Each arm's MQTT username and password (by device id); none by default. */
  credentials?: (deviceId: string) => { username?: string; password?: string };
  devices: number;
  rateHz?: number;
  sites?: string[];
  /** How often arms fail commands and lose replies (default: 5 % each). */
  faults?: FaultShares;
  /** 5 answers on the request's Response Topic with its Correlation Data. */
  protocolVersion?: 4 | 5;
  /** How long a rebooting arm stays away. */
  rebootMs?: number;
}

export const DEFAULT_FAULTS: FaultShares = { failures: 0.05, lostReplies: 0.05 };
/** Command ids an arm remembers, so a command sent twice is obeyed once and answered alike. */
const REMEMBERED_COMMANDS = 256;

export const DEFAULT_SITES = ["plant-a", "plant-b"];
/** Seconds between log lines per arm, on average. */
const LOG_EVERY_S = 20;
/** Motor temperature above which an arm raises an alarm. */
const ALARM_TEMP = 60;

export const armId = (i: number) => `arm-${String(i + 1).padStart(2, "0")}`;

interface Running {
  arm: ArmState;
  client: MqttClient;
  timer: NodeJS.Timeout | null;
  /** Each topic counts its own seq, so a gap in one stream means a message of that stream lost. */
  logSeq: number;
  alarmSeq: number;
  answered: Map<string, CommandReply>;
}

export class Fleet {
  private readonly running: Running[] = [];

  constructor(private readonly opts: FleetOptions) {}

  /** Resolves once every arm has connected and said it is online. */
  async start(): Promise<void> {
    const sites = this.opts.sites ?? DEFAULT_SITES;
    const starts: Promise<void>[] = [];
    const runSeed = Date.now() >>> 0;
    for (let i = 0; i < this.opts.devices; i++) {
      // A seed per run: a restarted fleet starts its seq at 1 again, and the same seed would send
      // byte-for-byte the same messages, which the store takes for redeliveries and drops.
      const arm = createArm(armId(i), sites[i % sites.length]!, (0x5eed + i) ^ runSeed);
      starts.push(this.startArm(arm));
    }
    await Promise.all(starts);
  }

  private startArm(arm: ArmState): Promise<void> {
    const t = (kind: string) => demoTopic(arm.site, arm.id, kind);
    const client = mqtt.connect(this.opts.url, {
      clientId: `fleetscope-sim-${arm.id}`,
      protocolVersion: this.opts.protocolVersion ?? 4,
      ...this.opts.credentials?.(arm.id),
      reconnectPeriod: 1000,
      will: { topic: t("status"), payload: Buffer.from("offline"), qos: 1, retain: true },
    });
    const run: Running = { arm, client, timer: null, logSeq: 0, alarmSeq: 0, answered: new Map() };
    this.running.push(run);
    client.on("error", () => undefined); // reconnects by itself; the bridge reports broker health
    client.on("message", (topic, payload, packet) => this.onCommand(run, topic, payload, packet));
    return new Promise((resolve) => {
      client.on("connect", () => {
        client.publish(t("status"), "online", { qos: 1, retain: true });
        client.publish(t("commands"), JSON.stringify(ARM_ADVERTISEMENT), { qos: 1, retain: true });
        if (!run.timer) this.startTicking(run);
        // Started means ready for commands: a command sent before the SUBACK could be dropped.
        client.subscribe(`${t("cmd")}/+`, { qos: 2 }, () => resolve());
      });
    });
  }

  private startTicking(run: Running) {
    const rate = this.opts.rateHz ?? 2;
    const dt = 1 / rate;
    const { arm, client } = run;
    const t = (kind: string) => demoTopic(arm.site, arm.id, kind);
    run.timer = setInterval(() => {
      if (!client.connected) return;
      const telemetry = step(arm, dt);
      client.publish(t("telemetry"), JSON.stringify(telemetry), { qos: 0 });
      if (arm.temp > ALARM_TEMP && random(arm) < 0.1) {
        run.alarmSeq++;
        client.publish(t("alarm"), JSON.stringify({ seq: run.alarmSeq, level: "warning", code: "MOTOR_HOT", temp: arm.temp }), { qos: 0 });
      }
      if (random(arm) < dt / LOG_EVERY_S) {
        run.logSeq++;
        client.publish(t("log"), JSON.stringify({ seq: run.logSeq, level: "info", msg: `cycle complete, joints at ${arm.angles.join(",")}` }), { qos: 1 });
      }
    }, 1000 / rate);
  }

  private onCommand(run: Running, topic: string, payload: Buffer, packet: IPublishPacket) {
    const name = topic.split("/").pop() ?? "";
    let request: { id: string; args?: unknown };
    try {
      const parsed = JSON.parse(payload.toString("utf8")) as { id?: unknown; args?: unknown };
      if (typeof parsed.id !== "string") throw new Error("missing id");
      request = { id: parsed.id, args: parsed.args };
    } catch {
      return; // not a command this arm understands; nobody to answer
    }
    const { arm, client } = run;
    const plan = planReply(arm, name, this.opts.faults ?? DEFAULT_FAULTS);
    // A command seen before (a resend, a resumed server) is answered as before, not obeyed twice.
    let reply = run.answered.get(request.id);
    if (!reply) {
      reply = plan.fault ? { id: request.id, ok: false, error: plan.fault } : applyCommand(arm, name, request);
      run.answered.set(request.id, reply);
      if (run.answered.size > REMEMBERED_COMMANDS) run.answered.delete(run.answered.keys().next().value!);
    }
    const answer = reply;
    const replyTopic = packet.properties?.responseTopic ?? `${topic}/reply`;
    const correlationData = packet.properties?.correlationData;
    setTimeout(() => {
      if (!plan.lost) client.publish(replyTopic, JSON.stringify(answer), { qos: 1, properties: correlationData ? { correlationData } : undefined });
      if (name === "reboot" && answer.ok) this.reboot(run);
    }, plan.delayMs);
  }

  /** The arm says offline, drops its connection, and comes back (saying online) a while later. */
  private reboot(run: Running) {
    const { arm, client } = run;
    client.publish(demoTopic(arm.site, arm.id, "status"), "offline", { qos: 1, retain: true }, () => {
      client.end(false, () => {
        setTimeout(() => {
          if (this.running.includes(run)) client.reconnect();
        }, this.opts.rebootMs ?? 2_000);
      });
    });
  }

  /** Says offline (a clean disconnect sends no Last Will) and disconnects every arm. */
  async stop(): Promise<void> {
    await Promise.all(
      this.running.map(async (run) => {
        if (run.timer) clearInterval(run.timer);
        const { client, arm } = run;
        if (client.connected) {
          await client.publishAsync(demoTopic(arm.site, arm.id, "status"), "offline", { qos: 1, retain: true }).catch(() => undefined);
        }
        await client.endAsync();
      }),
    );
    this.running.length = 0;
  }
}
