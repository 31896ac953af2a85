import "server-only";
import { internalClientCredentials } from "../broker/service-credentials";
import { bridgeFilter, type Config } from "../config/env";
import type { Store } from "../store/types";
import { Bridge, type BridgeOptions } from "./bridge";
import { spoolPathFor } from "./spool";
import { conventionsWith } from "../devices/builtin";
import type { Rule } from "../devices/conventions/rules";

/**
 * The bridge the configuration describes, on `url` (the embedded broker's, or MQTT_URL), reading
 * with `rules` (the file's and the saved ones: lib/user-rules/watch.ts).
 */
export function bridgeFromConfig(config: Config, url: string, store: Store, rules: readonly Rule[], onPacket?: BridgeOptions["onPacket"]): Bridge {
  return new Bridge({
    url,
    ...internalClientCredentials(config),
    store,
    clientId: config.bridgeId,
    filter: bridgeFilter(config),
    spoolPath: spoolPathFor(config.databaseUrl, config.bridgeId),
    onPacket,
    conventions: conventionsWith(rules),
    sparkplugHostId: config.bridgeId,
  });
}
