/**
 * How the embedded broker packs what it writes to a WebSocket client into frames. A browser runs
 * one task per frame it receives (an IPC from the network process, a MessageEvent, an
 * ArrayBuffer): at one or two packets a frame, a tab under 10,000 msgs/s spent two thirds of its
 * main thread receiving frames (Chromium trace, bench overview). Packets written in one turn of
 * the broker's event loop go out together, in frames of at most MAX_WS_FRAME_BYTES, so a frame
 * never becomes one long task to parse.
 * [MQTT-6.0.0-2] a frame may hold several or partial packets; receivers reassemble.
 * Pure: the broker does the writing.
 */

/**
 * Bytes per frame, past which the next chunk starts a new one: some 200 telemetry messages, a
 * few milliseconds of MQTT.js parsing in a browser tab.
 */
export const MAX_WS_FRAME_BYTES = 16 * 1024;

/**
 * Chunks (by size, in order) grouped into frames: the end index (exclusive) of each frame. A frame
 * takes chunks while it stays within `max`; a chunk larger than `max` is a frame on its own.
 */
export function frameEnds(sizes: readonly number[], max = MAX_WS_FRAME_BYTES): number[] {
  const ends: number[] = [];
  let bytes = 0;
  sizes.forEach((size, i) => {
    if (i > 0 && bytes + size > max) {
      ends.push(i);
      bytes = 0;
    }
    bytes += size;
  });
  if (sizes.length > 0) ends.push(sizes.length);
  return ends;
}
