import "server-only";
/**
 * Rows in PostgreSQL's binary COPY format, for `COPY … FROM STDIN (FORMAT binary)`: the fastest
 * way rows reach a table (docs/architecture.md, gotcha 4: COPY ≈ 111k rows/s against 52k for a multi-row INSERT), and
 * in binary payloads travel as their bytes, not as hex text PostgreSQL parses back.
 * Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { finished } from "node:stream/promises";

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

export class BinaryCopy {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private at = 0;
  rows = 0;

  constructor() {
    this.bytes(SIGNATURE);
    this.int32(0); // flags: no OIDs
    this.int32(0); // header extension length
  }

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }

  private int32(v: number) {
    this.room(4);
    this.at = this.buf.writeInt32BE(v, this.at);
  }

  private bytes(b: Uint8Array) {
    this.room(b.byteLength);
    this.buf.set(b, this.at);
    this.at += b.byteLength;
  }

  /** Starts a row of `columns` fields. */
  row(columns: number): this {
    this.room(2);
    this.at = this.buf.writeInt16BE(columns, this.at);
    this.rows++;
    return this;
  }

  null(): this {
    this.int32(-1);
    return this;
  }

  /** BIGINT */
  int8(v: number | bigint | null): this {
    if (v === null) return this.null();
    this.int32(8);
    this.room(8);
    this.at = this.buf.writeBigInt64BE(typeof v === "bigint" ? v : BigInt(v), this.at);
    return this;
  }

  /** INTEGER */
  int4(v: number): this {
    this.int32(4);
    this.int32(v);
    return this;
  }

  /** SMALLINT */
  int2(v: number): this {
    this.int32(2);
    this.room(2);
    this.at = this.buf.writeInt16BE(v, this.at);
    return this;
  }

  bool(v: boolean): this {
    this.int32(1);
    this.room(1);
    this.buf[this.at++] = v ? 1 : 0;
    return this;
  }

  /** DOUBLE PRECISION */
  float8(v: number): this {
    this.int32(8);
    this.room(8);
    this.at = this.buf.writeDoubleBE(v, this.at);
    return this;
  }

  /** TEXT, as UTF-8. */
  text(v: string | null): this {
    if (v === null) return this.null();
    const len = Buffer.byteLength(v);
    this.int32(len);
    this.room(len);
    this.at += this.buf.write(v, this.at, "utf8");
    return this;
  }

  /** BYTEA */
  bytea(v: Uint8Array): this {
    this.int32(v.byteLength);
    this.bytes(v);
    return this;
  }

  /** The whole COPY stream: header, rows, trailer. */
  end(): Buffer {
    this.room(2);
    this.at = this.buf.writeInt16BE(-1, this.at);
    return this.buf.subarray(0, this.at);
  }
}

/** Runs `COPY <target> FROM STDIN (FORMAT binary)` with the rows written into `copy`. */
export async function copyBinary(client: pg.PoolClient, target: string, copy: BinaryCopy): Promise<void> {
  if (copy.rows === 0) return;
  const stream = client.query(copyFrom(`COPY ${target} FROM STDIN (FORMAT binary)`));
  stream.end(copy.end());
  await finished(stream);
}
