import { Suspense } from "react";
import { DevicePanel } from "@/components/DevicePanel";

export default async function DevicePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <DevicePanel id={decodeURIComponent(id)} />
    </Suspense>
  );
}
