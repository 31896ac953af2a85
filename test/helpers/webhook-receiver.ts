/**
 * A webhook receiver on a local port for the alert tests: every POST in order, each answered
 * with 200, and a way to await the next ones.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedPost {
  headers: IncomingHttpHeaders;
  body: string;
}

export class WebhookReceiver {
  readonly posts: ReceivedPost[] = [];
  private waiters: (() => void)[] = [];
  private server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.posts.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end("ok");
        for (const w of this.waiters.splice(0)) w();
      });
    });
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  /** Resolves once `n` POSTs have arrived in all. */
  async count(n: number): Promise<ReceivedPost[]> {
    while (this.posts.length < n) await new Promise<void>((r) => this.waiters.push(r));
    return this.posts;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
