/** Canvas work of the explorer view: decoding PNG buffers, the map overlay and the revealed image. */

/** Decodes PNG bytes (a comm buffer) to pixels; undefined for an empty buffer. */
export async function decodePng(bytes: DataView | null | undefined): Promise<ImageData | undefined> {
  if (!bytes || bytes.byteLength === 0) return undefined;
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const bitmap = await createImageBitmap(new Blob([copy], { type: "image/png" }));
  const canvas = document.createElement("canvas");
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Region index per pixel from the little-endian Uint16 `labels` buffer. */
export function decodeLabels(bytes: DataView | null | undefined): Uint16Array | undefined {
  if (!bytes || bytes.byteLength < 2) return undefined;
  const out = new Uint16Array(bytes.byteLength >> 1);
  for (let i = 0; i < out.length; i++) out[i] = bytes.getUint16(i * 2, true);
  return out;
}

function fit(canvas: HTMLCanvasElement, image: ImageData): CanvasRenderingContext2D {
  if (canvas.width !== image.width) canvas.width = image.width;
  if (canvas.height !== image.height) canvas.height = image.height;
  return canvas.getContext("2d")!;
}

/** Draws (1 − opacity)·image + opacity·map (LIMA's visualisation of the eq. 11 map). */
export function drawOverlay(canvas: HTMLCanvasElement, image: ImageData, map: ImageData | undefined, opacity: number): void {
  const ctx = fit(canvas, image);
  if (!map || map.width !== image.width || map.height !== image.height) {
    ctx.putImageData(image, 0, 0);
    return;
  }
  const out = ctx.createImageData(image.width, image.height);
  const a = Math.min(1, Math.max(0, opacity));
  for (let i = 0; i < out.data.length; i += 4) {
    out.data[i] = (1 - a) * image.data[i] + a * map.data[i];
    out.data[i + 1] = (1 - a) * image.data[i + 1] + a * map.data[i + 1];
    out.data[i + 2] = (1 - a) * image.data[i + 2] + a * map.data[i + 2];
    out.data[i + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
}

/** Draws the image with only the first `step` regions of `order` shown (the rest black, the baseline). */
export function drawReveal(canvas: HTMLCanvasElement, image: ImageData, labels: Uint16Array | undefined, order: readonly number[], step: number): void {
  const ctx = fit(canvas, image);
  const out = ctx.createImageData(image.width, image.height);
  if (!labels || labels.length !== image.width * image.height) {
    ctx.putImageData(image, 0, 0);
    return;
  }
  const shown = new Uint8Array(Math.max(0, ...labels) + 1);
  for (const r of order.slice(0, step)) if (r < shown.length) shown[r] = 1;
  for (let p = 0; p < labels.length; p++) {
    const i = p * 4;
    if (shown[labels[p]]) {
      out.data[i] = image.data[i];
      out.data[i + 1] = image.data[i + 1];
      out.data[i + 2] = image.data[i + 2];
    }
    out.data[i + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
}
