/**
 * The embedded broker's open browser connections by user, so a change to a user (disabled, new
 * role, new password) ends their tabs' connections at once instead of at their next reconnect:
 * a connection keeps the rights its token gave it until it ends. On globalThis: the users route
 * Next bundles and the broker started by server.ts share it.
 */
import { processSingleton } from "../process/singleton";
export interface Closable {
  readonly closed: boolean;
  close(callback?: () => void): void;
}

export class BrowserConnections {
  private readonly byUser = new Map<string, Set<Closable>>();

  add(username: string, client: Closable): void {
    const set = this.byUser.get(username) ?? new Set();
    // Closed ones go whenever the user connects again, so the sets stay as small as the open tabs.
    for (const c of set) if (c.closed) set.delete(c);
    set.add(client);
    this.byUser.set(username, set);
  }

  /** Closes every open connection of `username`; returns how many there were. */
  end(username: string): number {
    const set = this.byUser.get(username);
    this.byUser.delete(username);
    let n = 0;
    for (const c of set ?? []) {
      if (c.closed) continue;
      c.close();
      n++;
    }
    return n;
  }
}

export function browserConnections(): BrowserConnections {
  return processSingleton("broker.browser-connections", () => new BrowserConnections());
}
