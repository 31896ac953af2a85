import { otherMethods } from "@/lib/http/method-not-allowed";
import { scrapedRegistry } from "@/lib/server/state-metrics";
import { exposition, EXPOSITION_CONTENT_TYPE } from "@/lib/metrics/prometheus";

export const dynamic = "force-dynamic";
export const { POST, PUT, PATCH, DELETE } = otherMethods("GET");

/**
 * GET /api/metrics: this process's metrics in Prometheus text format (lib/metrics/registry.ts).
 * Counts and timings by route pattern only, never device names, topics or raw paths, so a
 * scraper needs no login.
 */
export async function GET() {
  return new Response(await exposition(scrapedRegistry()), { headers: { "content-type": EXPOSITION_CONTENT_TYPE } });
}
