#!/usr/bin/env python3
"""Re-encodes HEIC files made by heif-enc into the shapes heif-enc cannot write, through libheif's own API
(the same libheif and x265 encoder as heif-enc; ctypes, so nothing to compile):
  - an orientation stored the HEIF way, as irot/imir transforms on the item (what an iPhone writes), the
    Exif block kept as it was;
  - several images in one file whose primary is not the first item (the others come first).

usage: heif-arrange.py OUT PRIMARY.heic [OTHER.heic ...] [--orientation N] [--quality Q] [--av1]
Every input's primary image and its Exif block are copied; N is an EXIF orientation (1-8) for the primary.
--av1 writes AV1 (an AVIF file) instead of HEVC.
"""
import argparse
import ctypes
import sys

lib = ctypes.CDLL('libheif.so.1')


class HeifError(ctypes.Structure):
    _fields_ = [('code', ctypes.c_int), ('subcode', ctypes.c_int), ('message', ctypes.c_char_p)]


for name in ['heif_context_read_from_file', 'heif_context_get_primary_image_handle', 'heif_decode_image',
             'heif_context_get_encoder_for_format', 'heif_encoder_set_lossy_quality', 'heif_context_encode_image',
             'heif_context_set_primary_image', 'heif_context_write_to_file', 'heif_image_handle_get_metadata',
             'heif_context_add_exif_metadata']:
    getattr(lib, name).restype = HeifError
lib.heif_context_alloc.restype = ctypes.c_void_p
lib.heif_encoding_options_alloc.restype = ctypes.c_void_p
lib.heif_image_handle_get_metadata_size.restype = ctypes.c_size_t
HEVC, AV1, RGB, INTERLEAVED_RGB = 1, 4, 1, 10
# struct heif_encoding_options (libheif >= 1.14, version 5): enum heif_orientation image_orientation at byte 20.
ORIENTATION_OFFSET = 20


def check(error):
    if error.code:
        sys.exit(f'libheif: {error.message.decode()}')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out')
    parser.add_argument('primary')
    parser.add_argument('others', nargs='*')
    parser.add_argument('--orientation', type=int, default=1, choices=range(1, 9))
    parser.add_argument('--quality', type=int, default=60)
    parser.add_argument('--av1', action='store_true')
    args = parser.parse_args()
    if args.orientation != 1 and args.others:
        sys.exit('--orientation applies to a single image')

    out = ctypes.c_void_p(lib.heif_context_alloc())
    encoder = ctypes.c_void_p()
    check(lib.heif_context_get_encoder_for_format(None, AV1 if args.av1 else HEVC, ctypes.byref(encoder)))
    check(lib.heif_encoder_set_lossy_quality(encoder, args.quality))
    handle = None
    for path in args.others + [args.primary]:  # the primary last: it is not the first item
        source_context = ctypes.c_void_p(lib.heif_context_alloc())
        check(lib.heif_context_read_from_file(source_context, path.encode(), None))
        source = ctypes.c_void_p()
        check(lib.heif_context_get_primary_image_handle(source_context, ctypes.byref(source)))
        image = ctypes.c_void_p()
        # Decoding applies the source's own transforms; heif-enc writes none.
        check(lib.heif_decode_image(source, ctypes.byref(image), RGB, INTERLEAVED_RGB, None))
        options = ctypes.c_void_p(lib.heif_encoding_options_alloc())
        if ctypes.c_uint8.from_address(options.value).value < 5:
            sys.exit('libheif is too old to write orientations (needs encoding options version 5, libheif >= 1.14)')
        if path == args.primary:
            ctypes.c_int.from_address(options.value + ORIENTATION_OFFSET).value = args.orientation
        handle = ctypes.c_void_p()
        check(lib.heif_context_encode_image(out, image, encoder, options, ctypes.byref(handle)))
        ids = (ctypes.c_uint32 * 4)()
        if lib.heif_image_handle_get_list_of_metadata_block_IDs(source, b'Exif', ids, 4) > 0:
            size = lib.heif_image_handle_get_metadata_size(source, ids[0])
            data = ctypes.create_string_buffer(size)
            check(lib.heif_image_handle_get_metadata(source, ids[0], data))
            # The Exif item starts with the offset of its TIFF header, which add_exif_metadata writes itself.
            tiff = data.raw[4 + int.from_bytes(data.raw[:4], 'big'):]
            check(lib.heif_context_add_exif_metadata(out, handle, tiff, ctypes.c_int(len(tiff))))
    check(lib.heif_context_set_primary_image(out, handle))
    check(lib.heif_context_write_to_file(out, args.out.encode()))
    if args.orientation >= 5:
        swap_ispe(args.out)


def swap_ispe(path):
    """libheif before 1.16 writes the 'ispe' of a quarter-turned image after the turn, though the standard (and
    every later libheif, which refuses such a file) wants the coded size, before transforms: swap it back."""
    data = bytearray(open(path, 'rb').read())
    at = data.find(b'ispe')
    if at < 4 or data.find(b'ispe', at + 4) != -1:
        sys.exit('expected exactly one ispe box')
    width, height = data[at + 8:at + 12], data[at + 12:at + 16]
    data[at + 8:at + 16] = height + width
    open(path, 'wb').write(bytes(data))


main()
