/*
 * Writes HEIC (and AVIF) files the way phones do, with libheif's own encoder API (the one heif-enc drives)
 * and its x265 HEVC (or aom AV1) encoder, for what heif-enc 1.15 has no option for: an orientation stored
 * as irot/imir boxes (as an iPhone writes a portrait photo), an EXIF block whose orientation is not the
 * file's, and a primary image that is not the first one in the file.
 *
 *   heif-compose OUT [-a] [-q QUALITY] [-o ORIENTATION 1-8] [-p PRIMARY 1-based] [-e EXIF.tiff] IN.ppm...
 *
 * -a writes AV1 (an AVIF file) instead of HEVC. Inputs are binary PPMs (P6, 8 bit) as ImageMagick writes
 * them; the EXIF block (raw TIFF bytes, as `exiftool -exif -b` extracts it) is attached to the primary
 * image as is: libheif does not reconcile its orientation tag with -o.
 *
 * C against libheif's header rather than a binding (ctypes...): the compiler checks the encoding options'
 * layout and the enums against the libheif installed, on any architecture.
 */
#include <libheif/heif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check(struct heif_error error, const char *what) {
  if (error.code != heif_error_Ok) {
    fprintf(stderr, "heif-compose: %s: %s\n", what, error.message);
    exit(1);
  }
}

static unsigned char *read_file(const char *path, long *size) {
  FILE *file = fopen(path, "rb");
  if (!file) { perror(path); exit(1); }
  fseek(file, 0, SEEK_END);
  *size = ftell(file);
  fseek(file, 0, SEEK_SET);
  unsigned char *data = malloc(*size);
  if (fread(data, 1, *size, file) != (size_t)*size) { perror(path); exit(1); }
  fclose(file);
  return data;
}

static struct heif_image *read_ppm(const char *path) {
  long size;
  unsigned char *data = read_file(path, &size);
  int width, height, max, offset;
  if (sscanf((const char *)data, "P6 %d %d %d%n", &width, &height, &max, &offset) != 3 || max != 255) {
    fprintf(stderr, "heif-compose: %s is not an 8-bit binary PPM\n", path);
    exit(1);
  }
  const unsigned char *pixels = data + offset + 1;
  if (pixels + (long)width * height * 3 > data + size) { fprintf(stderr, "heif-compose: %s is truncated\n", path); exit(1); }
  struct heif_image *image;
  check(heif_image_create(width, height, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &image), "create image");
  check(heif_image_add_plane(image, heif_channel_interleaved, width, height, 8), "add plane");
  int stride;
  uint8_t *plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < height; y++) memcpy(plane + (long)y * stride, pixels + (long)y * width * 3, (size_t)width * 3);
  free(data);
  return image;
}

/*
 * libheif before 1.16 writes the 'ispe' (image spatial extent) of a quarter-turned image after the turn,
 * though the standard, iPhones and newer libheif (which refuses such a file: "Decoded image does not have
 * the size signaled in the file") take it as the coded size, before irot. Swaps it back in the written file.
 */
static void fix_quarter_turn_ispe(const char *path) {
  long size;
  unsigned char *data = read_file(path, &size);
  long at = -1;
  for (long i = 4; i + 16 <= size; i++) {
    if (memcmp(data + i, "ispe", 4) != 0) continue;
    if (at != -1) { fprintf(stderr, "heif-compose: more than one ispe box\n"); exit(1); }
    at = i;
  }
  if (at == -1) { fprintf(stderr, "heif-compose: no ispe box\n"); exit(1); }
  unsigned char swapped[8]; /* after the box type: version and flags (4 bytes), width, height (4 each) */
  memcpy(swapped, data + at + 12, 4);
  memcpy(swapped + 4, data + at + 8, 4);
  memcpy(data + at + 8, swapped, 8);
  FILE *file = fopen(path, "wb");
  if (!file || fwrite(data, 1, size, file) != (size_t)size || fclose(file) != 0) { perror(path); exit(1); }
  free(data);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: heif-compose OUT [-a] [-q Q] [-o ORIENTATION] [-p PRIMARY] [-e EXIF] IN.ppm...\n");
    return 2;
  }
  const char *output = argv[1];
  int quality = 60, orientation = 1, primary = 1;
  enum heif_compression_format format = heif_compression_HEVC;
  const char *exif = NULL;
  int arg = 2;
  for (; arg < argc && strcmp(argv[arg], "-a") == 0; arg++) format = heif_compression_AV1;
  for (; arg + 1 < argc && argv[arg][0] == '-'; arg += 2) {
    if (strcmp(argv[arg], "-q") == 0) quality = atoi(argv[arg + 1]);
    else if (strcmp(argv[arg], "-o") == 0) orientation = atoi(argv[arg + 1]);
    else if (strcmp(argv[arg], "-p") == 0) primary = atoi(argv[arg + 1]);
    else if (strcmp(argv[arg], "-e") == 0) exif = argv[arg + 1];
    else { fprintf(stderr, "heif-compose: unknown option %s\n", argv[arg]); return 2; }
  }
  int count = argc - arg;
  if (count < 1 || primary < 1 || primary > count || orientation < 1 || orientation > 8) {
    fprintf(stderr, "heif-compose: need 1+ inputs, a primary among them and an orientation 1-8\n");
    return 2;
  }
  heif_init(NULL);
  struct heif_context *context = heif_context_alloc();
  struct heif_encoder *encoder;
  check(heif_context_get_encoder_for_format(context, format, &encoder), format == heif_compression_AV1 ? "AV1 encoder" : "HEVC encoder");
  check(heif_encoder_set_lossy_quality(encoder, quality), "quality");
  struct heif_encoding_options *options = heif_encoding_options_alloc();
  options->image_orientation = (enum heif_orientation)orientation;
  struct heif_image_handle *primary_handle = NULL;
  for (int n = 0; n < count; n++) {
    struct heif_image *image = read_ppm(argv[arg + n]);
    struct heif_image_handle *handle;
    check(heif_context_encode_image(context, image, encoder, options, &handle), "encode");
    heif_image_release(image);
    if (n + 1 == primary) primary_handle = handle;
    else heif_image_handle_release(handle);
  }
  check(heif_context_set_primary_image(context, primary_handle), "set primary");
  if (exif) {
    long size;
    unsigned char *data = read_file(exif, &size);
    check(heif_context_add_exif_metadata(context, primary_handle, data, (int)size), "add EXIF");
    free(data);
  }
  check(heif_context_write_to_file(context, output), "write");
  if (orientation >= 5 && heif_get_version_number_major() == 1 && heif_get_version_number_minor() < 16) fix_quarter_turn_ispe(output);
  heif_image_handle_release(primary_handle);
  heif_encoding_options_free(options);
  heif_encoder_release(encoder);
  heif_context_free(context);
  heif_deinit();
  return 0;
}
