#!/usr/bin/python3
"""Regenerates the numpy/IDX fixtures read by tests/io (run with a python that has numpy)."""
import gzip
import struct

import numpy as np

np.save("f32_2x3.npy", np.array([[1.5, -2.25, 3.0], [4.0, 5.5, -0.006]], dtype="<f4"))
np.save("i64_4.npy", np.array([-3, 0, 7, 1 << 40], dtype="<i8"))
np.save("f64_3x2.npy", np.array([[0.1, 1e-300], [-2.5, np.pi], [1e300, -0.0]], dtype="<f8"))
np.save("u8_5.npy", np.array([0, 1, 127, 128, 255], dtype="|u1"))
np.save("i4_2x2.npy", np.array([[-2147483648, -1], [0, 2147483647]], dtype="<i4"))
np.save("f8_fortran_2x2.npy", np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.0]])))
np.save("f8_bigendian_2.npy", np.array([1.0, 2.0], dtype=">f8"))
with open("f64_v2_2x2.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([[1.0, -1.0], [0.5, 2.0]]), version=(2, 0))

# IDX: i16 2x3 raw and u8 2x2x2 gzip, big-endian as the format requires.
with open("i16_2x3.idx", "wb") as f:
    f.write(bytes([0, 0, 0x0B, 2]) + struct.pack(">II", 2, 3))
    f.write(np.array([[-32768, -1, 0], [1, 300, 32767]], dtype=">i2").tobytes())
with gzip.open("u8_2x2x2.idx.gz", "wb") as f:
    f.write(bytes([0, 0, 0x08, 3]) + struct.pack(">III", 2, 2, 2))
    f.write(bytes(range(0, 256, 32)))
with open("f32_3.idx", "wb") as f:
    f.write(bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 3))
    f.write(np.array([0.5, -1.25, 1e10], dtype=">f4").tobytes())

# PNG, written here with zlib/struct only (independent of libpng): a 2x3 palette image with a
# tRNS (alpha) chunk, 8-bit. Palette: opaque red, half-transparent white, fully transparent green.
import zlib


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


with open("palette_alpha_2x3.png", "wb") as f:
    f.write(b"\x89PNG\r\n\x1a\n")
    f.write(png_chunk(b"IHDR", struct.pack(">IIBBBBB", 3, 2, 8, 3, 0, 0, 0)))
    f.write(png_chunk(b"PLTE", bytes([255, 0, 0, 255, 255, 255, 0, 255, 0])))
    f.write(png_chunk(b"tRNS", bytes([255, 128, 0])))
    rows = bytes([0, 0, 1, 2, 0, 2, 1, 0])  # filter byte 0, then 3 indices per row
    f.write(png_chunk(b"IDAT", zlib.compress(rows)))
    f.write(png_chunk(b"IEND", b""))
