/** How a stored payload travels in JSON: as text when it is valid UTF-8, else as base64. */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function payloadForJson(bytes: Uint8Array): { payload: string; encoding: "utf8" | "base64" } {
  try {
    return { payload: strictUtf8.decode(bytes), encoding: "utf8" };
  } catch {
    return { payload: Buffer.from(bytes).toString("base64"), encoding: "base64" };
  }
}
