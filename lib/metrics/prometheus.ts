/**
 * The Prometheus text exposition format (version 0.0.4) of a prom-client registry, as scrapers of
 * GET /api/metrics have always read it: one line per HELP, TYPE and sample, no blank lines between
 * families, and NaN spelled as the format's examples spell it (prom-client writes "Nan").
 */
import type { Registry } from "prom-client";

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export async function exposition(registry: Registry): Promise<string> {
  // A real line feed only ever ends a line: label values and HELP text carry it escaped.
  return (await registry.metrics()).replace(/\n\n+/g, "\n").replace(/ Nan$/gm, " NaN");
}
