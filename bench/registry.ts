/**
 * Every benchmark `npm run bench` knows, by the name it is run by. A module of its own so that the
 * smoke test (test/integration/benches-smoke.test.ts) can list them without running any.
 */
import { benchAlerts } from "./alerts";
import { benchBroker } from "./broker";
import { benchCapture } from "./capture";
import { benchCaptureLive } from "./capture-live";
import { benchCommands } from "./commands";
import { benchConventions } from "./conventions";
import { benchFuzz } from "./fuzz";
import { benchIngest } from "./ingest";
import { benchMixedIngest } from "./mixed-ingest";
import { benchMemory } from "./memory";
import { benchOverview, benchOverviewSparkplug } from "./overview";
import { benchPlayback } from "./playback";
import { benchSeries } from "./series";
import { benchSnapshot } from "./snapshot";
import { benchStartup } from "./startup";
import { benchTaps } from "./taps";
import { benchTopicTree } from "./topic-tree";

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  reference: number;
  referenceName: string;
  lowerIsBetter?: boolean;
}

export const benches: [string, () => Promise<BenchResult[]>][] = [
  ["ingest", benchIngest],
  ["conventions", benchConventions],
  ["mixed-ingest", benchMixedIngest],
  ["series", benchSeries],
  ["memory", benchMemory],
  ["startup", benchStartup],
  ["overview", benchOverview],
  ["overview-sparkplug", benchOverviewSparkplug],
  ["topic-tree", benchTopicTree],
  ["taps", benchTaps],
  ["broker", benchBroker],
  ["commands", benchCommands],
  ["capture", benchCapture],
  ["capture-live", benchCaptureLive],
  ["fuzz", benchFuzz],
  ["alerts", benchAlerts],
  ["snapshot", benchSnapshot],
  ["playback", benchPlayback],
];
