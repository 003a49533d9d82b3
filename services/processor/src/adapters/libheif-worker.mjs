// The worker thread of libheif-decoder.ts (Piscina runs this file): decodes the primary image of a HEIF
// file with libheif compiled to WebAssembly (libheif-js, with libde265 for HEVC). Plain JavaScript so a
// worker starts the same under tsx, vitest and plain node. The first call compiles the module (~150 ms).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** @type {any} */
const libheif = require('libheif-js/wasm-bundle');

/**
 * @param {{ file: Uint8Array, maxPixels: number }} task
 * @returns {{ data: Uint8Array, width: number, height: number, channels: 3 | 4 }} pixels, rows packed
 */
export default function decodePrimary({ file, maxPixels }) {
  const context = libheif.heif_context_alloc();
  try {
    const read = libheif.heif_context_read_from_memory(context, file);
    if (read.code !== libheif.heif_error_code.heif_error_Ok) throw new Error(`libheif: ${read.message}`);
    const handle = libheif.heif_js_context_get_primary_image_handle(context);
    if (!handle || handle.code) throw new Error(`libheif: ${handle?.message ?? 'no primary image'}`);
    try {
      // The size after the item's transforms (irot, imir, clap), as libheif will decode it.
      const width = libheif.heif_image_handle_get_width(handle);
      const height = libheif.heif_image_handle_get_height(handle);
      if (width * height > maxPixels) throw new Error(`Input image exceeds pixel limit (${width}x${height})`);
      const channels = libheif.heif_image_handle_has_alpha_channel(handle) ? 4 : 3;
      const chroma = channels === 4 ? libheif.heif_chroma.heif_chroma_interleaved_RGBA : libheif.heif_chroma.heif_chroma_interleaved_RGB;
      // Transforms applied, as HEIF asks: the Exif orientation tag is not to be applied on top.
      const image = libheif.heif_js_decode_image2(handle, libheif.heif_colorspace.heif_colorspace_RGB, chroma);
      if (!image || image.code) throw new Error(`libheif: ${image?.message ?? 'decoding failed'}`);
      try {
        const plane = image.channels.find((channel) => channel.id === libheif.heif_channel.heif_channel_interleaved);
        if (!plane) throw new Error('libheif: the decoded image has no interleaved plane');
        const row = plane.width * channels;
        const data = new Uint8Array(row * plane.height);
        for (let y = 0; y < plane.height; y++) data.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row);
        return { data, width: plane.width, height: plane.height, channels };
      } finally {
        libheif.heif_image_release(image.image);
      }
    } finally {
      libheif.heif_image_handle_release(handle);
    }
  } finally {
    libheif.heif_context_free(context);
  }
}
