"""git's index file read directly: path, mode, blob SHA and working-tree size per entry.

`git ls-files -s --debug` prints the same facts, but as ~200 bytes of text per file that
then take longer to parse than git took to print; the binary index is 60-odd bytes per
file and one `struct` call each. Only formats 2 and 3 of a whole (not split, not sparse)
index are read; for anything else `read_index` says None and the caller asks git.

Format: https://git-scm.com/docs/index-format
"""

from __future__ import annotations

import os
import struct

# mode, size at offsets 24 and 36 of the 40 stat bytes; then the hash; then 16 bits of flags.
_STAT = struct.Struct(">24xI8xI")
_FLAGS = struct.Struct(">H")
_EXTENDED = 0x4000
_NAME_MASK = 0x0FFF
_REGULAR = (0o100644, 0o100755)
_DIRECTORY = 0o040000  # a sparse index's folded folder
_WHOLE_INDEX_VERSIONS = (2, 3)
# Extensions that mean the entries here are not the whole story (split index, sparse index).
_PARTIAL_EXTENSIONS = (b"link", b"sdir")

IndexEntries = dict[bytes, tuple[str, int]]  # path (bytes, from the top) -> (sha, size)


def read_index(path: str, hash_len: int = 20) -> IndexEntries | None:
    """Regular files (mode 100644/100755) in the index at `path`, or None when its format is
    one this reader does not handle (version 4, split or sparse index, or a torn read)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    return parse_index(data, hash_len)


def parse_index(data: bytes, hash_len: int = 20) -> IndexEntries | None:
    if len(data) < 12 + hash_len or data[:4] != b"DIRC":
        return None
    version, count = struct.unpack_from(">II", data, 4)
    if version not in _WHOLE_INDEX_VERSIONS:
        return None
    out: IndexEntries = {}
    unpack_stat, unpack_flags = _STAT.unpack_from, _FLAGS.unpack_from
    fixed = 40 + hash_len + 2
    end = len(data) - hash_len  # the trailing checksum
    pos = 12
    for _ in range(count):
        if pos + fixed > end:
            return None
        mode, size = unpack_stat(data, pos)
        (flags,) = unpack_flags(data, pos + 40 + hash_len)
        start = pos + fixed + (2 if flags & _EXTENDED and version == 3 else 0)
        length = flags & _NAME_MASK
        if length == _NAME_MASK:  # a name of 4095 bytes or more: NUL-terminated
            length = data.index(b"\0", start) - start
        name = data[start : start + length]
        if mode in _REGULAR:
            out[name] = (data[pos + 40 : pos + 40 + hash_len].hex(), size)
        elif mode == _DIRECTORY:
            return None
        pos += (start - pos + length + 8) & ~7  # 1 to 8 NULs pad each entry to a multiple of 8
    while pos + 8 <= end:  # extensions: signature and length
        signature = data[pos : pos + 4]
        if signature in _PARTIAL_EXTENSIONS:
            return None
        (size,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8 + size
    return out


def index_key(path: str) -> tuple[str, int, int, int] | None:
    """What identifies one version of the index file (git replaces it by rename)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (path, st.st_ino, st.st_mtime_ns, st.st_size)
