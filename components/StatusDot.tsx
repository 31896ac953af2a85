import type { DeviceStatus } from "@/lib/devices/model";

export function StatusDot({ status }: { status: DeviceStatus }) {
  return (
    <span className={`status status-${status}`} data-testid="status">
      <span className="dot" aria-hidden /> {status}
    </span>
  );
}
