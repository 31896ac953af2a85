/**
 * The embedded broker's throughput with packet taps on against the same broker with them off, in
 * the same run: `mosquitto_pub -l` sends QoS 1 telemetry lines through the broker to an MQTT.js
 * subscriber, and the rate is messages received per second. Each run uses a fresh broker; the two
 * alternate, twice each, and the better run of each counts, so a burst of other load on the
 * machine does not decide the ratio.
 */
import mqtt from "mqtt";
import { openAccess } from "../lib/broker/access";
import { startEmbeddedBroker } from "../lib/broker/embedded";
import { TraceHub } from "../lib/trace/hub";
import { publishLines, telemetryLines } from "./line-publisher";
import type { BenchResult } from "./run";
import { launchChromium, publishFleet } from "./browser-reference";
import { startServerProcess } from "./server-process";
import { median } from "./median";

const MESSAGES = Number(process.env.BENCH_TAPS_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_TAPS_ROUNDS ?? 2);

async function throughput(traced: boolean): Promise<number> {
  const hub = traced ? new TraceHub() : undefined;
  const broker = await startEmbeddedBroker({ tcpPort: 0, host: "127.0.0.1", access: openAccess, trace: hub });
  const url = `mqtt://127.0.0.1:${broker.tcpPort}`;
  try {
    const sub = await mqtt.connectAsync(url, { clientId: `bench-taps-sub-${traced}` });
    let seen = 0;
    const done = new Promise<void>((resolve) => sub.on("message", () => ++seen === MESSAGES && resolve()));
    await sub.subscribeAsync("fleet/#", { qos: 1 });
    const lines = [...telemetryLines(MESSAGES)];
    const start = performance.now();
    const pub = publishLines(url, { topic: "fleet/bench/arm-01/telemetry", qos: 1, clientId: `bench-taps-pub-${traced}`, lines });
    await done;
    const rate = (MESSAGES / (performance.now() - start)) * 1000;
    pub.stop();
    await sub.endAsync();
    if (hub && hub.packets().length === 0) throw new Error("the taps saw nothing");
    return rate;
  } finally {
    await broker.close();
    hub?.close();
  }
}

export async function benchTaps(): Promise<BenchResult[]> {
  return [...(await benchBrokerTaps()), ...(await benchBrowserTracing())];
}

async function benchBrokerTaps(): Promise<BenchResult[]> {
  let on = 0;
  let off = 0;
  for (let i = 0; i < ROUNDS; i++) {
    off = Math.max(off, await throughput(false));
    on = Math.max(on, await throughput(true));
  }
  return [
    {
      name: `embedded broker with packet taps on every connection, QoS 1 (${MESSAGES} msgs, mosquitto_pub → Aedes → MQTT.js)`,
      value: on,
      unit: "msgs/s",
      reference: off,
      referenceName: "same broker, taps off",
    },
  ];
}

const BROWSER_RATE = 5_000;
const BROWSER_SECONDS = Number(process.env.BENCH_TAPS_SECONDS ?? 20);
/** Off and on alternate this many times; the medians count, and every round is printed (a loaded machine moves one a lot). */
const BROWSER_ROUNDS = Number(process.env.BENCH_TAPS_BROWSER_ROUNDS ?? 3);

/**
 * The browser's cost of tracing its own client: `/wire` in Chromium while the tab's connection
 * takes 5,000 telemetry msgs/s, with "this tab's client too" on against off, in main-thread task
 * time per second (CDP Performance metrics). The device filter matches nothing, so the server's
 * stream sends nothing and only the tab's own tracing differs between the two.
 */
export async function benchBrowserTracing(): Promise<BenchResult[]> {
  const server = await startServerProcess({ FLEETSCOPE_SIM_DEVICES: "0", FLEETSCOPE_BRIDGE: "off" });
  const tcpUrl = await server.ready;
  const browser = await launchChromium();
  const taskSecondsPerSecond = async (traced: boolean) => {
    const page = await browser.newPage();
    await page.goto(`http://localhost:${server.port}/wire?device=no-such-device`);
    await page.getByTestId("connection").and(page.locator('[data-state="connected"]')).waitFor();
    if (traced) await page.getByRole("checkbox", { name: "this tab's client too" }).check();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Performance.enable");
    const taskTime = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration")!.value;
    const before = await taskTime();
    const start = performance.now();
    await publishFleet(tcpUrl, 1000, BROWSER_RATE, BROWSER_SECONDS);
    const busy = (await taskTime()) - before;
    const seconds = (performance.now() - start) / 1000;
    await page.close();
    return busy / seconds;
  };
  try {
    const offs: number[] = [];
    const ons: number[] = [];
    for (let round = 0; round < BROWSER_ROUNDS; round++) {
      offs.push((await taskSecondsPerSecond(false)) * 1000);
      ons.push((await taskSecondsPerSecond(true)) * 1000);
    }
    const rounds = (xs: number[]) => `rounds ${xs.map((x) => x.toFixed(0)).join(", ")}`;
    return [
      {
        name: `the browser tracing its own client at ${BROWSER_RATE} msgs/s (/wire, main-thread task time per second, median of ${BROWSER_ROUNDS}; ${rounds(ons)})`,
        value: median(ons),
        unit: "ms/s",
        reference: median(offs),
        referenceName: `same page, own tracing off; ${rounds(offs)}; target ratio ≥ 0.9`,
        lowerIsBetter: true,
      },
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
