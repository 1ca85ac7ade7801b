#!/usr/bin/env python3
"""Writes the binary-format corpus cases of tests/corpus/bin from one valid file.

Usage: python3 tests/corpus/bin/make_cases.py <pargnn binary>
The valid file is a 200-node SBM written by `pargnn generate sbm --format bin`; each case
damages one thing in a copy of it (the layout is documented at the top of src/io/binfmt.c).
Where a check sits behind the header checksum, the header crc is recomputed so the case
reaches it. Rerun after a format change and update the MANIFEST messages if they move.
"""
import os
import struct
import subprocess
import sys
import zlib

HEADER = 128
ENTRY = 32
OFF_VERSION = 8
OFF_SECTIONS = 24
OFF_NODES = 32
OFF_HEADER_CRC = 124


def u32(buf, off):
    return struct.unpack_from("<I", buf, off)[0]


def fix_header_crc(buf):
    """crc32 of the header's first 124 bytes and the section table, as the loader checks."""
    ns = u32(buf, OFF_SECTIONS)
    crc = zlib.crc32(bytes(buf[:OFF_HEADER_CRC]))
    crc = zlib.crc32(bytes(buf[HEADER:HEADER + ns * ENTRY]), crc)
    struct.pack_into("<I", buf, OFF_HEADER_CRC, crc)


def section(buf, k):
    """(id, offset, bytes) of table entry k."""
    sid, _, off, nbytes = struct.unpack_from("<IIQQ", buf, HEADER + k * ENTRY)
    return sid, off, nbytes


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: python3 %s <pargnn binary>" % sys.argv[0])
    here = os.path.dirname(os.path.abspath(__file__))
    valid = os.path.join(here, "valid.bin")
    subprocess.run([sys.argv[1], "generate", "sbm", "--format", "bin", "--nodes", "200",
                    "--classes", "2", "--features", "8", "--avg-degree", "4", "--seed", "1",
                    "--out", valid], check=True, stdout=subprocess.DEVNULL)
    good = bytearray(open(valid, "rb").read())
    cases = {}

    b = bytearray(good)
    b[0:8] = b"PARGNNXX"
    cases["bad_magic.bin"] = b

    b = bytearray(good)
    struct.pack_into("<I", b, OFF_VERSION, 99)  # refused before the header checksum
    cases["version_99.bin"] = b

    cases["truncated_header.bin"] = bytearray(good[:100])
    cases["truncated.bin"] = bytearray(good[:len(good) // 2])

    b = bytearray(good)  # one byte inside the adjacency columns (table entry 1)
    sid, off, nbytes = section(b, 1)
    assert sid == 2 and nbytes > 16
    b[off + 16] ^= 0xFF
    cases["flipped_section.bin"] = b

    b = bytearray(good)  # the node count, header crc left stale
    struct.pack_into("<q", b, OFF_NODES, 201)
    cases["flipped_header.bin"] = b

    b = bytearray(good)  # 2^30 nodes in a ~10 KB file, header crc recomputed
    struct.pack_into("<q", b, OFF_NODES, 1 << 30)
    fix_header_crc(b)
    cases["nodes_too_many.bin"] = b

    for name, data in cases.items():
        with open(os.path.join(here, name), "wb") as f:
            f.write(data)
    print("wrote %s and %d cases in %s" % (os.path.basename(valid), len(cases), here))


if __name__ == "__main__":
    main()
