/** A URL fit for a banner, a log line or a health report: never its password. Otherwise as given. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
