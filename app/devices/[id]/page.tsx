import { Suspense } from "react";
import { DevicePanel } from "@/components/DevicePanel";
import { DeliveryPanel } from "@/components/wire/DeliveryPanel";
import { CommandPanel } from "@/components/commands/CommandPanel";
import { DeviceStop } from "@/components/commands/DeviceStop";
import { AlertOverlayProvider } from "@/components/alerts/AlertOverlay";

export default async function DevicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const device = decodeURIComponent(id);
  return (
    <Suspense>
      <AlertOverlayProvider device={device}>
        <DevicePanel id={device} actions={<DeviceStop device={device} />} />
      </AlertOverlayProvider>
      <div style={{ marginTop: "1rem" }}>
        <CommandPanel device={device} />
      </div>
      <div style={{ marginTop: "1rem" }}>
        <DeliveryPanel device={device} />
      </div>
    </Suspense>
  );
}
