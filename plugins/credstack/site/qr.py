"""QR code modules exactly as the ``qrcode`` library makes them, about five times faster.

``qrcode`` picks the mask pattern by building the whole matrix eight times and scoring each
(ISO/IEC 18004 penalty rules) with Python loops over every module: about 5 ms a code, which is
most of the cost of a badge. Here the same data codewords (``qrcode``'s own encoder) are placed
once, as a bit set, and each mask's matrix and penalty are computed with big-integer bit
operations over the whole matrix at once. The penalty rules are those of ``qrcode.util.
lost_point`` (including its scoring of the matrix with the format information left light), so
the chosen mask, and every module, is the same: ``tests/unit/site/test_qr.py`` checks this
against ``qrcode`` itself for thousands of inputs and every version used.

Layout: module (row r, column c) is bit ``r * S + c`` with ``S = n + 1``; the extra bit of each
row is always zero, so runs never continue from one row into the next. The transposed matrix
uses the same layout for column-wise rules.
"""

from __future__ import annotations

from functools import cache

import qrcode
import qrcode.constants
from qrcode import LUT, base, util

ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M


class _Tables:
    """What depends only on the version: function patterns, data positions, masks."""

    def __init__(self, version: int):
        self.version = version
        n = self.n = version * 4 + 17
        s = self.stride = n + 1
        self.valid = sum(((1 << n) - 1) << (r * s) for r in range(n))
        self.starts = sum(((1 << (n - 10)) - 1) << (r * s) for r in range(n))
        blank = self._blank(test=True, mask=0)
        data_cells = [(r, c) for r in range(n) for c in range(n) if blank[r][c] is None]
        self.fixed = self._bits(blank, transpose=False)
        self.fixed_t = self._bits(blank, transpose=True)
        self.data = sum(1 << (r * s + c) for r, c in data_cells)
        self.data_t = sum(1 << (c * s + r) for r, c in data_cells)
        self.masks = []
        self.masks_t = []
        for pattern in range(8):
            func = util.mask_func(pattern)
            on = [(r, c) for r, c in data_cells if func(r, c)]
            self.masks.append(sum(1 << (r * s + c) for r, c in on))
            self.masks_t.append(sum(1 << (c * s + r) for r, c in on))
        order = self._order(blank)
        self.order = [r * s + c for r, c in order]
        self.order_t = [c * s + r for r, c in order]
        self.final = [self._bits(self._blank(test=False, mask=m), False) for m in range(8)]

    def _blank(self, *, test: bool, mask: int) -> list[list[bool | None]]:
        """The function patterns, format and version information (as ``QRCode.makeImpl``
        sets them before placing data; ``test`` leaves the format information light)."""
        code = qrcode.QRCode(version=self.version, error_correction=ERROR_CORRECTION, border=0)
        code.modules_count = n = self.n
        code.modules = [[None] * n for _ in range(n)]
        code.setup_position_probe_pattern(0, 0)
        code.setup_position_probe_pattern(n - 7, 0)
        code.setup_position_probe_pattern(0, n - 7)
        code.setup_position_adjust_pattern()
        code.setup_timing_pattern()
        code.setup_type_info(test, mask)
        if self.version >= 7:
            code.setup_type_number(test)
        return code.modules

    def _bits(self, modules: list[list[bool | None]], transpose: bool) -> int:
        s = self.stride
        out = 0
        for r, line in enumerate(modules):
            for c, dark in enumerate(line):
                if dark:
                    out |= 1 << ((c * s + r) if transpose else (r * s + c))
        return out

    def _order(self, blank: list[list[bool | None]]) -> list[tuple[int, int]]:
        """Data module positions in the order ``QRCode.map_data`` fills them."""
        n = self.n
        out = []
        inc, row = -1, n - 1
        for col in range(n - 1, 0, -2):
            if col <= 6:
                col -= 1
            while True:
                for c in (col, col - 1):
                    if blank[row][c] is None:
                        out.append((row, c))
                row += inc
                if row < 0 or n <= row:
                    row -= inc
                    inc = -inc
                    break
        return out

    def lost_point(self, x: int, xt: int) -> int:
        """``qrcode.util.lost_point`` of the matrix ``x`` (and its transpose ``xt``)."""
        valid, starts = self.valid, self.starts
        total = 0
        for a in (x, xt):
            na = ~a & valid
            for b in (a, na):  # runs of five or more of one colour: 3 + (length - 5)
                y = b & (b >> 1) & (b >> 2) & (b >> 3) & (b >> 4)
                total += y.bit_count() + 2 * (y & ~(y >> 1)).bit_count()
            # 1:1:3:1:1 finder-like patterns with four light modules on either side
            m1 = (
                a
                & (na >> 1)
                & (a >> 2)
                & (a >> 3)
                & (a >> 4)
                & (na >> 5)
                & (a >> 6)
                & (na >> 7)
                & (na >> 8)
                & (na >> 9)
                & (na >> 10)
                & starts
            )
            m2 = (
                na
                & (na >> 1)
                & (na >> 2)
                & (na >> 3)
                & (a >> 4)
                & (na >> 5)
                & (a >> 6)
                & (a >> 7)
                & (a >> 8)
                & (na >> 9)
                & (a >> 10)
                & starts
            )
            total += 40 * (m1.bit_count() + m2.bit_count())
        s = self.stride
        for b in (x, ~x & valid):  # 2x2 blocks of one colour
            total += 3 * (b & (b >> 1) & (b >> s) & (b >> (s + 1))).bit_count()
        percent = float(x.bit_count()) / (self.n**2)
        return total + int(abs(percent * 100 - 50) / 5) * 10


@cache
def _tables(version: int) -> _Tables:
    return _Tables(version)


class _Bits:
    """A ``qrcode.util.BitBuffer`` that collects "0"/"1" text (the segments' own ``write``
    methods fill it, one ``put`` per number instead of one call per bit)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def put(self, num: int, length: int) -> None:
        self.parts.append(format(num & ((1 << length) - 1), f"0{length}b"))


_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i], _LOG[_x] = _x, _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _generator_logs(ec_count: int) -> tuple[int | None, ...]:
    """Logs of the generator polynomial's coefficients after the leading 1 (None for 0)."""
    if ec_count in LUT.rsPoly_LUT:
        poly = list(LUT.rsPoly_LUT[ec_count])
    else:  # pragma: no cover - every count qrcode uses is tabulated
        p = base.Polynomial([1], 0)
        for i in range(ec_count):
            p = p * base.Polynomial([1, base.gexp(i)], 0)
        poly = [p[i] for i in range(len(p))]
    return tuple(_LOG[c] if c else None for c in poly[1:])


def _ec_bytes(data: list[int], ec_count: int) -> list[int]:
    """Reed-Solomon check bytes: the remainder of data(x)·x^ec by the generator."""
    gen = _generator_logs(ec_count)
    rem = [0] * ec_count
    for byte in data:
        factor = byte ^ rem[0]
        rem = rem[1:]
        rem.append(0)
        if factor:
            lf = _LOG[factor]
            for i, g in enumerate(gen):
                if g is not None:
                    rem[i] ^= _EXP[lf + g]
    return rem


def _codewords(data: str) -> tuple[int, list[int]]:
    """The version and the final codeword sequence, as ``qrcode.util.create_data`` makes them
    (same segments, padding, Reed-Solomon blocks and interleaving)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(data)
    version = code.best_fit()
    bits = _Bits()
    for segment in code.data_list:
        bits.put(segment.mode, 4)
        bits.put(len(segment), util.length_in_bits(segment.mode, version))
        segment.write(bits)
    text = "".join(bits.parts)
    blocks = base.rs_blocks(version, ERROR_CORRECTION)
    bit_limit = sum(b.data_count * 8 for b in blocks)
    if len(text) > bit_limit:  # pragma: no cover - best_fit chose a version that fits
        raise qrcode.exceptions.DataOverflowError(f"{len(text)} > {bit_limit}")
    text += "0" * min(bit_limit - len(text), 4)
    if len(text) % 8:
        text += "0" * (8 - len(text) % 8)
    buffer = [int(text[i : i + 8], 2) for i in range(0, len(text), 8)]
    pads = (util.PAD0, util.PAD1)
    buffer += [pads[i % 2] for i in range((bit_limit - len(text)) // 8)]
    dcdata, ecdata, offset = [], [], 0
    for block in blocks:
        dc = buffer[offset : offset + block.data_count]
        offset += block.data_count
        dcdata.append(dc)
        ecdata.append(_ec_bytes(dc, block.total_count - block.data_count))
    out = []
    for group in (dcdata, ecdata):
        for i in range(max(len(x) for x in group)):
            out += [x[i] for x in group if i < len(x)]
    return version, out


def rows(data: str) -> list[str]:
    """The QR code of ``data`` (error correction M, no quiet zone) as rows of "0" and "1"."""
    version, codewords = _codewords(data)
    t = _tables(version)
    size = t.n * t.stride
    plain = bytearray(b"0") * size
    plain_t = bytearray(b"0") * size
    bits = "".join(map("{:08b}".format, codewords))
    for pos, pos_t, bit in zip(t.order, t.order_t, bits, strict=False):
        if bit == "1":
            plain[size - 1 - pos] = 49
            plain_t[size - 1 - pos_t] = 49
    d, dt = int(plain, 2), int(plain_t, 2)
    best, best_lost = 0, 0
    for pattern in range(8):
        lost = t.lost_point(
            t.fixed | ((d ^ t.masks[pattern]) & t.data),
            t.fixed_t | ((dt ^ t.masks_t[pattern]) & t.data_t),
        )
        if pattern == 0 or best_lost > lost:
            best, best_lost = pattern, lost
    matrix = t.final[best] | ((d ^ t.masks[best]) & t.data)
    text = format(matrix, f"0{size}b")[::-1]
    s, n = t.stride, t.n
    return [text[r * s : r * s + n] for r in range(n)]


def matrix(data: str) -> list[list[bool]]:
    """The QR code of ``data`` as ``qrcode.QRCode(...).get_matrix()`` gives it."""
    return [[ch == "1" for ch in line] for line in rows(data)]


def reference_matrix(data: str) -> list[list[bool]]:
    """The same, made by ``qrcode`` alone (the plain path, and the tests' reference)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, border=0)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()
