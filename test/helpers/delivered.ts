/**
 * "Nothing was delivered", proven without waiting: a subscriber on `#` whose own marker message,
 * published after the message under test, arrives after it (a broker delivers one subscription's
 * messages from one publisher in order, and the refused message was sent first).
 */
import mqtt, { type IClientOptions } from "mqtt";

export interface Watcher {
  /** Topics (not markers) delivered since the last call, up to a marker published now. */
  deliveredBeforeMarker(): Promise<string[]>;
  end(): Promise<void>;
}

export async function watchEverything(url: string, opts: IClientOptions): Promise<Watcher> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, ...opts });
  let seen: string[] = [];
  client.on("message", (topic) => seen.push(topic));
  await client.subscribeAsync("#", { qos: 1 });
  return {
    async deliveredBeforeMarker() {
      const marker = `marker/${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const arrived = new Promise<void>((resolve) => {
        const on = (topic: string) => {
          if (topic !== marker) return;
          client.off("message", on);
          resolve();
        };
        client.on("message", on);
      });
      await client.publishAsync(marker, "m", { qos: 1 });
      await arrived;
      const out = seen.filter((t) => !t.startsWith("marker/"));
      seen = [];
      return out;
    },
    end: () => client.endAsync(),
  };
}
