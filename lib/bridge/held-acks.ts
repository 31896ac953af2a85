/**
 * Group commit for acknowledgements. MQTT.js handles one incoming packet at a time and writes its
 * PUBACK as soon as `handleMessage` calls back (docs/architecture.md, gotcha 2), so committing each message
 * alone before that callback costs one spool transaction (and one socket write) per message.
 *
 * Instead the connection's socket is corked when the first message of a group arrives: the
 * bridge then calls back at once, MQTT.js writes the PUBACK into the corked socket's buffer, in
 * this process, and goes on to the next packet of the same read. Once that read is handled
 * (`setImmediate` runs after the chain of `nextTick`s MQTT.js handles a read with), one
 * transaction commits the whole group and only then is the socket uncorked, so the PUBACKs reach
 * the kernel after their messages are durable. If the process dies first, no PUBACK has left and
 * the broker redelivers; if the commit fails, the socket is destroyed with the PUBACKs still in
 * its buffer, and the broker redelivers on the next connection.
 *
 * Corks nest: mqtt-packet corks and uncorks around each packet it writes, which leaves ours in
 * place. Only `end()` flushes a corked stream regardless, so the owner commits before it ends
 * the connection (Session.end).
 */
import type { Writable } from "node:stream";

export class HeldAcks<T> {
  private items: T[] = [];
  private stream: Writable | null = null;

  /**
   * @param commit makes the items durable, synchronously; throws when it cannot.
   * @param failed told why a group was not committed (its acknowledgements were dropped).
   */
  constructor(
    private readonly commit: (items: T[]) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Adds an item to the group; what is written to `stream` from now on waits for its commit. */
  add(stream: Writable, item: T): void {
    // A new connection: the old one's group commits first (its socket is gone or going).
    if (this.stream !== null && this.stream !== stream) this.commitNow();
    if (this.stream === null) {
      stream.cork();
      this.stream = stream;
      setImmediate(() => this.commitNow());
    }
    this.items.push(item);
  }

  /** Items added and not yet committed. */
  size(): number {
    return this.items.length;
  }

  /** Commits the open group, if any, then lets its acknowledgements go. */
  commitNow(): void {
    const stream = this.stream;
    if (stream === null) return;
    const items = this.items;
    this.items = [];
    this.stream = null;
    try {
      this.commit(items);
    } catch (error) {
      // The acknowledgements are still in this process: dropping the socket drops them.
      stream.destroy();
      this.failed(error);
      return;
    }
    stream.uncork();
  }
}
