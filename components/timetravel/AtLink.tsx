"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useContext, type ComponentProps, type MouseEvent } from "react";
import { takesAt, withAt } from "@/lib/timetravel/at-param";
import { FleetContext, useFleet } from "../FleetProvider";

/** `href` at the moment `at`, when its page can show the past. */
function hrefAt(href: string, at: number | null): string {
  const [path, query = ""] = href.split("?", 2) as [string, string?];
  return at !== null && takesAt(path) ? `${path}${withAt(query, at)}` : href;
}

/**
 * A link that stays at the moment shown: in a past view, to a page that can show the past, it
 * carries `?at=`, so going from the overview to an arm's page keeps the incident in view. Live, it
 * is a plain link. While playing, the cursor moves every frame: the link renders with the moment
 * playback started from (a card does not render per frame for it) and a click goes to the cursor.
 */
export function AtLink({ href, onClick, ...props }: ComponentProps<typeof Link> & { href: string }) {
  const store = useContext(FleetContext);
  const router = useRouter();
  const at = useFleet((s) => (s.past ? (s.past.playing ? s.past.at : s.past.cursor) : null));
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    const past = store?.getState().past;
    if (e.defaultPrevented || !past?.playing || e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
    e.preventDefault();
    router.push(hrefAt(href, past.cursor));
  };
  return <Link href={hrefAt(href, at)} onClick={follow} {...props} />;
}
