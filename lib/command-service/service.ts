import "server-only";
/**
 * The command service: records each command in the store before it is sent, publishes it at
 * QoS 2, follows its PUBREC/PUBCOMP on this client's hop, waits for the device's reply or state
 * echo, and times it out. Every change is saved before it is announced. On start it resumes the
 * commands the store still holds open: expired ones time out, queued ones go out again, on record
 * as resent first (devices drop a command id they have already obeyed), sent ones wait for their
 * reply until their deadline.
 */
import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient, type Packet } from "mqtt";
import { BUILT_IN_CONVENTIONS } from "../devices/builtin";
import type { CommandFact, ConventionId, DeviceFacts } from "../devices/convention";
import type { DeviceMeta } from "../devices/model";
import { Interpreter } from "../devices/registry";
import { conventionDefinitions, encodeConventionCommand, requestBytes } from "../commands/convention-commands";
import type { CommandLog } from "../store/command-log";
import { commandsFor, type CommandDefinition } from "../commands/definitions";
import { applyInput, isFinal, sameRequest, type Command, type CommandInput, type CommandState } from "../commands/lifecycle";
import { REPLY_FILTER, parseReply, replyTopicOf, requestPayload, type Reply } from "../commands/replies";
import { WriteBatcher } from "./write-batcher";
import { observeRoundTrip } from "../metrics/observations";
import { logger } from "../log/logger";
import type { QoS } from "../mqtt/packet";
import { decide, type CommandRequest, type Decision, type TargetDevice } from "../commands/submit";
import { ADVERTISEMENT_FILTER, Advertisements, isAdvertisement } from "./advertisements";
import { EchoWatch, echoInput, echoTopicOf } from "./echo-watch";
import { PacketIds } from "./packet-ids";

/** How long an MQTT 5 broker keeps the service's session (and its replies) while it is away. */
const SESSION_EXPIRY_S = 24 * 3600;
/** How long a finished command stays in memory for the packets and replies that trail it. */
const FINAL_GRACE_MS = 30_000;
/** How long start() waits for the broker before resuming commands anyway. */
const START_WAIT_MS = 5_000;

export interface CommandDevice extends TargetDevice {
  fields: string[];
  /** Unset: the demo convention. */
  convention?: ConventionId;
  name?: string;
  meta?: DeviceMeta;
}

export interface CommandServiceOptions {
  url: string;
  username?: string;
  password?: string;
  /**
   * 5 sends Response Topic and Correlation Data, falling back to 4 when the broker refuses 5;
   * 4 for brokers known to speak only 3.1.1 (Aedes).
   */
  protocolVersion: 4 | 5;
  log: CommandLog;
  /**
   * A stable client id gives the service a persistent session: replies that arrive while this
   * process restarts wait at the broker. Without one, a fresh id and a clean session.
   */
  clientId?: string;
  /** The device as the store knows it, or null when it has never been seen. */
  device(id: string): Promise<CommandDevice | null>;
  /**
   * The conventions' learned state, to write requests and judge echoes by (a Sparkplug DATA names
   * metrics by the aliases its BIRTH gave): the bridge's in the same process, else one of its own.
   */
  conventions?: Interpreter;
  now?: () => number;
}

export type SubmitResult = Decision | { kind: "unknown_device" } | { kind: "existing"; command: Command; same: boolean };

interface ServiceEvents {
  change: [Command];
  /** The broker connection came up or went down. */
  connection: [];
  error: [Error];
}

interface Tracked {
  command: Command;
  timer: NodeJS.Timeout | null;
  /** The newest state's save. */
  saving: Promise<void>;
  echoTopic: string | null;
  /** Reached a final state: its timer and echo subscription are gone. */
  done: boolean;
}

export class CommandService extends EventEmitter<ServiceEvents> {
  private client: MqttClient | null = null;
  private readonly tracked = new Map<string, Tracked>();
  private readonly packets = new PacketIds();
  /** Commands resumed after a restart whose `resent` record is being saved: sent once it is (resend). */
  private readonly resending = new Set<string>();
  private readonly advertisements = new Advertisements();
  private readonly echoes = new EchoWatch();
  private readonly now: () => number;
  private readonly writer: WriteBatcher;
  private lastError: string | null = null;
  private version: 4 | 5 = 5;
  private subscribed: () => void = () => undefined;
  /** Commands that reached each final state since this service started, for /api/metrics. */
  private readonly finished = new Map<CommandState, number>();
  /** Replies to commands no longer in memory, handled in arrival order. */
  private untracked: Promise<void> = Promise.resolve();

  private readonly conventions: Interpreter;

  constructor(private readonly opts: CommandServiceOptions) {
    super();
    this.now = opts.now ?? Date.now;
    this.conventions = opts.conventions ?? new Interpreter(BUILT_IN_CONVENTIONS);
    this.writer = new WriteBatcher(opts.log);
  }

  /**
   * Connects and resumes the open commands. Resolves once replies are subscribed to, or after
   * START_WAIT_MS with the broker still away (commands then queue until it is back).
   */
  async start(): Promise<void> {
    const open = await this.opts.log.open();
    const subscribed = new Promise<void>((resolve) => {
      this.subscribed = resolve;
      setTimeout(resolve, START_WAIT_MS).unref();
    });
    this.connect(this.opts.protocolVersion);
    // Tracked before the first packet can arrive: a kept session delivers waiting replies at once.
    this.resume(open);
    await subscribed;
  }

  private connect(protocolVersion: 4 | 5) {
    this.version = protocolVersion;
    const options: IClientOptions = {
      clientId: this.opts.clientId ?? `fleetscope-commands-${randomUUID().slice(0, 8)}`,
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion,
      clean: this.opts.clientId === undefined,
      // MQTT 5 ends a session on disconnect unless told to keep it [MQTT-3.1.2-23].
      ...(protocolVersion === 5 && this.opts.clientId !== undefined ? { properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
      reconnectPeriod: 1000,
    };
    const client = mqtt.connect(this.opts.url, options);
    this.client = client;
    const speak311 = () => {
      client.end(true);
      this.connect(4);
      for (const t of this.tracked.values()) if (t.command.state === "queued" && !this.resending.has(t.command.id)) this.send(t.command);
    };
    client.on("error", (err) => {
      // Once per cause: a refusing broker answers every reconnect the same way.
      if (this.lastError !== err.message) logger("commands").warn({ error: err.message, code: (err as { code?: unknown }).code }, "broker connection failed; reconnecting");
      this.lastError = err.message;
      // CONNACK "unsupported protocol version" (132 in MQTT 5, 1 in 3.1.1): speak 3.1.1 instead.
      const code = (err as { code?: number }).code;
      if (protocolVersion === 5 && (code === 132 || code === 1) && this.client === client) speak311();
    });
    // A 3.1.1 broker may also just close the connection on a CONNECT it cannot read [MQTT-3.1.2-2]
    // (RabbitMQ 3.10 does): the CONNECT went out and no CONNACK came back.
    let connectSent = false;
    let connacked = false;
    client.on("packetsend", (p) => (connectSent ||= p.cmd === "connect"));
    client.on("close", () => {
      if (protocolVersion === 5 && connectSent && !connacked && this.client === client) return speak311();
      this.emit("connection");
    });
    client.on("connect", () => {
      connacked = true;
      this.lastError = null;
      this.emit("connection");
      // Resubscribed on every connect: a clean session has none, and a kept one loses nothing by it.
      client.subscribe([REPLY_FILTER, ADVERTISEMENT_FILTER, ...this.echoes.topics()], { qos: 1 }, () => this.subscribed());
    });
    client.on("message", (topic, payload, packet) => this.onMessage(topic, payload, packet));
    client.on("packetsend", (p) => this.onPacket(p, "send"));
    client.on("packetreceive", (p) => this.onPacket(p, "receive"));
  }

  /** Connected to the broker, and the last connection error if not. */
  status(): { connected: boolean; error: string | null; open: number; protocolVersion: 4 | 5 } {
    let open = 0;
    for (const t of this.tracked.values()) if (!t.done) open++;
    return { connected: this.client?.connected ?? false, error: this.lastError, open, protocolVersion: this.version };
  }

  /** A command this process is following, as it is now (the store may be up to a second behind). */
  current(id: string): Command | null {
    return this.tracked.get(id)?.command ?? null;
  }

  /** Final states reached since start, by state. */
  finishedCounts(): ReadonlyMap<CommandState, number> {
    return this.finished;
  }

  private count(state: CommandState) {
    this.finished.set(state, (this.finished.get(state) ?? 0) + 1);
  }

  /** The commands a device accepts: its kind's and what it advertised. */
  definitions(device: { id: string; fields: string[]; convention?: ConventionId; meta?: DeviceMeta }): CommandDefinition[] {
    if (device.convention && device.convention !== "demo") return conventionDefinitions(device.convention, device.meta ?? {});
    return commandsFor(device.fields, this.advertisements.of(device.id));
  }

  /** Problems in what a device advertised, to show beside its commands. */
  advertisementProblems(id: string): string[] {
    return this.advertisements.problems(id);
  }

  async submit(req: CommandRequest): Promise<SubmitResult> {
    const device = await this.opts.device(req.device);
    if (!device) return { kind: "unknown_device" };
    let decision = decide(req, device, this.definitions(device), randomUUID(), this.now());
    if (decision.kind === "unknown_command") return decision;
    if (decision.kind === "send" && decision.command.confirm.kind === "convention") decision = this.written(decision.command, device);
    const { command, created } = await this.writer.create(decision.command);
    // A key reused with another request is a client bug: the route answers 409.
    if (!created) return { kind: "existing", command, same: sameRequest(command, decision.command) };
    if (decision.kind !== "send") {
      this.count(command.state);
      this.emit("change", command);
      return decision;
    }
    this.track(command);
    this.send(command);
    return decision;
  }

  async stop(): Promise<void> {
    for (const t of this.tracked.values()) if (t.timer) clearTimeout(t.timer);
    // Detached first: the publish callbacks a forced end fires are ignored, so a command not yet
    // sent stays queued in the store, for the next start to send.
    const client = this.client;
    this.client = null;
    await client?.endAsync(true);
    await this.untracked;
    await this.writer.flush();
    await Promise.all([...this.tracked.values()].map((t) => t.saving));
    this.tracked.clear();
  }

  /** A convention's command with its request written, or rejected with why it cannot be. */
  private written(command: Command, device: CommandDevice): Exclude<Decision, { kind: "unknown_command" }> {
    const rule = command.confirm;
    const slot = rule.kind === "convention" ? this.conventions.slot(rule.convention) : null;
    const fact: CommandFact | undefined = device.meta?.commands?.find((c) => c.name === command.name);
    const reject = (reason: string): Exclude<Decision, { kind: "unknown_command" }> => ({ kind: "invalid", errors: { "": reason }, command: applyInput(command, { type: "reject", at: this.now(), reason }) });
    if (!slot || !fact) return reject(`${device.id}'s convention is not one this server reads`);
    const facts: DeviceFacts = { id: device.id as DeviceFacts["id"], convention: slot.convention.id, name: device.name ?? device.id, group: device.site, seen: false };
    const enc = encodeConventionCommand(slot.convention, slot.state, facts, fact, command.args, command.id);
    if ("error" in enc) return reject(enc.error);
    return { kind: "send", command: { ...command, topic: enc.request.topic, request: enc.request, expect: enc.expect } };
  }

  private resume(open: Command[]) {
    for (const c of open) {
      if (c.deadline <= this.now()) {
        this.track(c);
        // Timed out at its deadline, when nobody was here to notice.
        this.input(c.id, { type: "timeout", at: c.deadline, note: "the server was down at the deadline" });
        continue;
      }
      this.track(c);
      if (c.state === "queued") this.resend(c.id);
    }
  }

  /**
   * A command still queued in the store after a restart goes out again as a new PUBLISH, and the
   * record says so, durably, before it does: every copy a device gets beyond the first is then one
   * its command's events account for (test/integration/stack-sigkill.test.ts).
   */
  private resend(id: string) {
    const saved = this.input(id, { type: "resent", at: this.now() }, true);
    const t = this.tracked.get(id);
    if (!saved || !t) return;
    this.resending.add(id);
    // Unsaved (reported by input): it stays queued, and times out at its deadline.
    void saved.then((ok) => {
      this.resending.delete(id);
      if (ok && !t.done && this.tracked.get(id) === t) this.send(t.command);
    });
  }

  private track(command: Command) {
    const echoTopic = echoTopicOf(command);
    const t: Tracked = { command, timer: null, saving: Promise.resolve(), echoTopic, done: false };
    this.tracked.set(command.id, t);
    t.timer = setTimeout(() => this.input(command.id, { type: "timeout", at: this.now() }), Math.max(0, command.deadline - this.now()));
    if (echoTopic) this.watchEcho(echoTopic, command.id, true);
  }

  private send(command: Command) {
    const client = this.client;
    if (!client) return; // stopped: the command stays queued in the store for the next start
    if (command.request) return this.sendWritten(client, command, command.request);
    const payload = Buffer.from(requestPayload(command.id, command.args));
    this.packets.publishing(payload, command.id);
    // On MQTT 5 the broker also drops the command once its deadline has passed: a device that
    // comes back later must not act on a command its operator has already seen time out.
    const expiry = Math.max(1, Math.ceil((command.deadline - this.now()) / 1000));
    const properties = this.version === 5 ? { responseTopic: replyTopicOf(command.topic), correlationData: Buffer.from(command.id), messageExpiryInterval: expiry } : undefined;
    // The callback runs at PUBCOMP; MQTT.js keeps the message and resends it after a reconnect.
    client.publish(command.topic, payload, { qos: 2, retain: false, properties }, (err) => {
      this.packets.published(payload);
      if (this.client !== client) return; // a client given up on (see connect): sent again on the new one
      if (!err && this.packets.takePubacked(command.id)) return;
      this.input(command.id, err ? { type: "publish_failed", at: this.now(), error: err.message } : { type: "pubcomp", at: this.now() });
    });
  }

  /** A request as its convention wrote it, at the QoS it asked (a Sparkplug DCMD is QoS 0 [tck-id-topics-dcmd-qos]). */
  private sendWritten(client: MqttClient, command: Command, request: NonNullable<Command["request"]>) {
    const payload = requestBytes(request);
    this.packets.publishing(payload, command.id);
    client.publish(request.topic, payload, { qos: request.qos, retain: request.retain }, (err) => {
      this.packets.published(payload);
      if (this.client !== client) return;
      if (err) return this.input(command.id, { type: "publish_failed", at: this.now(), error: err.message });
      // At QoS 0 nothing comes back from the broker: written to the socket is as far as it goes.
      if (request.qos === 0) return this.input(command.id, { type: "published", at: this.now() });
      if (this.packets.takePubacked(command.id)) return;
      this.input(command.id, { type: "pubcomp", at: this.now() });
    });
  }

  private onPacket(packet: Packet, dir: "send" | "receive") {
    const step = this.packets.step(packet, dir, this.now());
    if (step) this.input(step.id, step.input);
  }

  private onMessage(topic: string, payload: Buffer, packet: IPublishPacket) {
    if (isAdvertisement(topic)) return this.advertisements.take(topic, payload);
    const reply = parseReply(topic, payload, packet.properties?.correlationData as Buffer | undefined);
    if (reply) return this.onReply(reply, topic, payload);
    // Echoes count only when live: a retained status is old news [MQTT-3.3.1-9].
    if (packet.retain) return;
    for (const id of this.echoes.waiting(topic)) {
      const t = this.tracked.get(id);
      if (!t || isFinal(t.command.state)) continue;
      const input = echoInput(t.command, { topic, payload, retain: packet.retain, qos: packet.qos as QoS }, this.conventions, this.now());
      if (input) this.input(t.command.id, input);
    }
  }

  private onReply(reply: Reply, topic: string, payload: Buffer) {
    const input: CommandInput = { type: "reply", at: this.now(), ok: reply.ok, result: reply.result, error: reply.error };
    if (reply.id && this.tracked.has(reply.id)) return this.input(reply.id, input);
    // One at a time: two late replies to one command must not both start from the same stored copy.
    this.untracked = this.untracked.then(() => this.onUntrackedReply(reply, input, topic, payload));
  }

  private async onUntrackedReply(reply: Reply, input: CommandInput, topic: string, payload: Buffer) {
    try {
      // Not open here: a late or duplicate reply to a finished command is recorded on it; one
      // naming no command at all is kept as unmatched.
      const known = reply.id ? await this.opts.log.get(reply.id) : null;
      if (known && known.device === reply.device && isFinal(known.state)) {
        const next = applyInput(known, input);
        await this.writer.save(next, true);
        this.emit("change", next);
      } else if (!known) {
        await this.opts.log.recordUnmatched({ ts: this.now(), topic, device: reply.device, replyId: reply.id, payload: payload.toString("utf8").replace(/\u0000/g, "\uFFFD") });
      }
    } catch (err) {
      this.emit("error", err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Applies `input`; resolves once its state is saved, with whether it was (`durable`: at the next gather, not the lazy timer). */
  private input(id: string, input: CommandInput, durable = false): Promise<boolean> | undefined {
    const t = this.tracked.get(id);
    if (!t) return;
    const prev = t.command;
    const next = applyInput(prev, input);
    if (next === prev) return;
    t.command = next;
    // Only the step into a final state is waited for; what trails it (a PUBCOMP after the reply, a
    // duplicate reply) is a record and shares a later commit.
    const urgent = durable || (isFinal(next.state) && !isFinal(prev.state));
    if (isFinal(next.state) && !isFinal(prev.state)) this.count(next.state);
    if (isFinal(next.state) && !isFinal(prev.state)) observeRoundTrip(next);
    // The batcher writes a command's states in the order they are saved, and resolves in that order.
    const saved = this.writer.save(next, urgent).then(
      () => this.emit("change", next) || true,
      (err: unknown) => this.emit("error", err instanceof Error ? err : new Error(String(err))) && false,
    );
    t.saving = saved.then(() => undefined);
    // After the save is under way: untracking waits for it before the store path takes over.
    if (isFinal(next.state)) this.untrack(t);
    return saved;
  }

  /**
   * A final command stops waiting, but stays in memory for FINAL_GRACE_MS: the PUBCOMP that comes
   * after a fast reply, and duplicate replies, are recorded on it there. After that they go
   * through the store (onUntrackedReply).
   */
  private untrack(t: Tracked) {
    if (t.done) return;
    t.done = true;
    if (t.timer) clearTimeout(t.timer);
    if (t.echoTopic) this.watchEcho(t.echoTopic, t.command.id, false);
    t.timer = setTimeout(() => {
      // Only once its last save has run, so stop() still waits for it.
      void t.saving.finally(() => {
        if (this.tracked.get(t.command.id) === t) this.tracked.delete(t.command.id);
      });
    }, FINAL_GRACE_MS);
    t.timer.unref();
  }

  /** Subscribes to a device's echo stream while some open command waits on it. */
  private watchEcho(topic: string, id: string, waiting: boolean) {
    if (waiting) {
      if (this.echoes.add(topic, id) && this.client?.connected) this.client.subscribe(topic, { qos: 1 });
    } else if (this.echoes.remove(topic, id) && this.client?.connected) this.client.unsubscribe(topic);
  }
}
