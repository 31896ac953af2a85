import type { DeviceStatus } from "@/lib/devices/model";

/** `title`: why the device has its status, as its convention says it (shown on hover). */
export function StatusDot({ status, title }: { status: DeviceStatus; title?: string }) {
  return (
    <span className={`status status-${status}`} data-testid="status" title={title}>
      <span className="dot" aria-hidden /> {status}
    </span>
  );
}
