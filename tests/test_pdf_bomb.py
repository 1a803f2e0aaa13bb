"""PDF decompression bombs and a looping page tree: real PDF files, written byte by byte here (or
encrypted by pikepdf), read by read_pdf and by the real `klartjek letter` in a subprocess.

A stream of N zero bytes is deflated cheaply: one 1 MiB block of zeros is deflated once, ended by a
full flush (so it refers to nothing before it), and repeated; the zlib trailer's Adler-32 of N zeros
is ((N mod 65521) << 16) | 1. A 1 GiB bomb is written in a fraction of a second and is 1 MB."""
from __future__ import annotations

import base64
import io
import os
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pikepdf
import pytest
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import lzwdecode
from pdfminer.runlength import rldecode

import audit.letters.pdf as pdfmod
from audit.letters import LetterError, gather_letter
from audit.letters.pdf import MAX_INFLATED_BYTES, MAX_STREAM_BYTES, read_pdf

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "letters" / "pdf"
MiB = 1 << 20
GiB = 1 << 30
MEMORY_CEILING = 600 * MiB       # the whole `klartjek letter` process tree, at its peak
STREAM_REFUSAL = ("{}: refused: a compressed stream in the PDF unpacks to more than 100 MB "
                  "(a decompression bomb?); check the file")
TOTAL_REFUSAL = ("{}: refused: the compressed streams in the PDF unpack to more than 200 MB together "
                 "(a decompression bomb?); check the file")
LOOP = "{}: not a readable PDF (its page tree loops); check the file"


# -- making PDFs ------------------------------------------------------------------------------------

def deflated_zeros(n: int) -> bytes:
    """A zlib stream that inflates to ``n`` zero bytes, made without holding them."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MiB)) + c.flush(zlib.Z_FULL_FLUSH)
    rest = b""
    if n % MiB:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        rest = c.compress(bytes(n % MiB)) + c.flush(zlib.Z_FULL_FLUSH)
    last = b"\x03\x00"                     # an empty final block (fixed Huffman codes)
    return b"\x78\xda" + block * (n // MiB) + rest + last + (((n % 65521) << 16) | 1).to_bytes(4, "big")


def make_pdf(objects: list[bytes]) -> bytes:
    """A PDF of these objects (1 0 obj is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, entries: bytes = b"", eol: bytes = b"\n") -> bytes:
    return b"<< /Length %d %s>>\nstream%s" % (len(data), entries, eol) + data + b"\nendstream"


TEXT = b"BT /F1 12 Tf 72 720 Td (K\xe6re borger, du har en tid hos tandl\xe6gen.) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def letter(content: bytes, content_entries: bytes = b"", extra: list[bytes] | None = None,
           eol: bytes = b"\n") -> bytes:
    """A one-page letter whose page draws ``content``; ``extra`` objects (7 0 obj, 8 0 obj …) follow."""
    xobjects = b" ".join(b"/Im%d %d 0 R" % (i, 7 + i) for i in range(len(extra or [])))
    return make_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> /XObject << " + xobjects + b" >> >> >>",
        stream(content, content_entries, eol),
        FONT,
        b"<< /Producer (klartjek tests) >>",
        *(extra or []),
    ])


def image(data: bytes, filters: bytes = b"/FlateDecode", width: int = 100, height: int = 100) -> bytes:
    return stream(data, b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB "
                        b"/BitsPerComponent 8 /Filter %s " % (width, height, filters))


def encrypted(data: bytes) -> bytes:
    buf = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:      # qpdf copies Flate streams as they are, encrypted
        pdf.save(buf, encryption=pikepdf.Encryption(owner="o", user=""))
    return buf.getvalue()


def lzw_encode(data: bytes) -> bytes:
    """LZW as PDF writes it (EarlyChange 1): a clear code first, a new one when the table is full."""
    out, acc, nbits = bytearray(), 0, 0

    def emit(code: int, width: int) -> None:
        nonlocal acc, nbits
        acc, nbits = (acc << width) | code, nbits + width
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)
            acc &= (1 << nbits) - 1

    def width_for(size: int) -> int:     # the decoder's table is one entry behind: one code early
        return 12 if size >= 2048 else 11 if size >= 1024 else 10 if size >= 512 else 9

    table = {bytes((i,)): i for i in range(256)}
    size, width, w = 258, 9, b""
    emit(256, 9)
    for byte in data:
        wc = w + bytes((byte,))
        if wc in table:
            w = wc
            continue
        emit(table[w], width)
        table[wc], size = size, size + 1
        width = width_for(size)
        w = bytes((byte,))
        if size >= 4093:
            emit(256, width)
            table = {bytes((i,)): i for i in range(256)}
            size, width = 258, 9
    if w:
        emit(table[w], width)
        size += 1
        width = width_for(size)
    emit(257, width)
    if nbits:
        out.append((acc << (8 - nbits)) & 0xFF)
    return bytes(out)


def lzw_bomb(n_codes: int) -> bytes:
    """LZW codes for a run of zeros: each code one zero longer than the one before, until the table
    is full, then the longest code (3838 zeros) again and again."""
    out, acc, nbits = bytearray(), 0, 0

    def emit(code: int, width: int) -> None:
        nonlocal acc, nbits
        acc, nbits = (acc << width) | code, nbits + width
        while nbits >= 8:
            nbits -= 8
            out.append((acc >> nbits) & 0xFF)
            acc &= (1 << nbits) - 1

    emit(256, 9)
    emit(0, 9)
    size = 258
    for _ in range(n_codes):
        width = 12 if size + 1 >= 2048 else 11 if size + 1 >= 1024 else 10 if size + 1 >= 512 else 9
        emit(min(size, 4095), width)
        size = min(size + 1, 4096)
    emit(257, 12)
    out.append((acc << (8 - nbits)) & 0xFF if nbits else 0)
    return bytes(out)


def rl_encode(data: bytes) -> bytes:
    out, i, n = bytearray(), 0, len(data)
    while i < n:
        j = i + 1
        while j < n and j - i < 128 and data[j] == data[i]:
            j += 1
        if j - i >= 2:                                  # a run: 257 - length, the byte
            out += bytes((257 - (j - i), data[i]))
        else:                                           # literal bytes up to the next run: length - 1, the bytes
            j = i + 1
            while j < n and j - i < 128 and not (j + 1 < n and data[j + 1] == data[j]):
                j += 1
            out += bytes((j - i - 1,)) + data[i:j]
        i = j
    return bytes(out + b"\x80")


# -- running `klartjek letter` and measuring its memory ------------------------------------------------

# `klartjek letter` reads a letter in a child of a multiprocessing fork server, which outlives the
# command by a moment and is nobody's child then. This wrapper is a child subreaper: the fork server
# comes back to it, it reaps everything, and so os.wait4 on the wrapper gives the largest peak
# resident set of the whole tree (the kernel keeps the largest of a process and of its reaped children).
WRAPPER = r"""
import ctypes, os, subprocess, sys
ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)      # PR_SET_CHILD_SUBREAPER
code = subprocess.call(sys.argv[1:])
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
sys.exit(code)
"""


def _address_space_limit() -> None:
    import resource

    limit = 3_000_000_000       # even a reader without the scan cannot make this machine swap
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _largest_rss(session: int) -> int:
    """The resident bytes of the largest process now in this session (from /proc)."""
    largest = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:                   # field 6, the session id
            largest = max(largest, int(fields[21]) * os.sysconf("SC_PAGE_SIZE"))   # field 24, rss in pages
    return largest


def klartjek_letter(path: Path, tmp_path: Path, timeout: float = 120) -> tuple[int, str, int]:
    """(exit code, output, peak resident bytes of the largest process in the tree). While it runs, a
    process of the tree over MEMORY_CEILING (or a run over ``timeout``) stops it and fails the test."""
    out_file = tmp_path / "out.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "1000"}
    with open(out_file, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", WRAPPER, sys.executable, "-m", "cli", "letter", str(path),
                                 "--db", str(tmp_path / "h.sqlite")], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_address_space_limit)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        rss = _largest_rss(proc.pid)
        if rss > MEMORY_CEILING or time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            os.wait4(proc.pid, 0)
            proc.returncode = -9
            why = f"{rss // MiB} MB, over the ceiling" if rss > MEMORY_CEILING else f"over {timeout:g} s"
            pytest.fail(f"klartjek letter stopped: {why} (after {time.monotonic() - deadline + timeout:.1f} s); "
                        f"its output: {out_file.read_text(errors='replace')[-300:]!r}")
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, out_file.read_text(errors="replace"), usage.ru_maxrss * 1024


def assert_refused_by_cli(path: Path, tmp_path: Path, message: str) -> None:
    code, output, peak = klartjek_letter(path, tmp_path)
    lines = [ln for ln in output.splitlines() if ln.startswith("✗")]
    assert code == 2, output[-2000:]
    assert lines == [f"✗ {message}"], output[-2000:]
    assert peak < MEMORY_CEILING, f"peak {peak // MiB} MB"


# -- the bombs ------------------------------------------------------------------------------------------

def test_the_limits():
    assert MAX_STREAM_BYTES == 100_000_000 and MAX_INFLATED_BYTES == 200_000_000
    assert MAX_STREAM_BYTES > 2480 * 3508 * 3 * 2      # two A4 pages' worth of 300 dpi colour, in one stream


def test_a_flate_bomb_is_refused_by_klartjek_letter(tmp_path):
    bomb = letter(deflated_zeros(GiB), b"/Filter /FlateDecode ")
    assert len(bomb) < 1_200_000
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb)
    assert_refused_by_cli(path, tmp_path, STREAM_REFUSAL.format(path))     # first: in a child, with limits
    with pytest.raises(LetterError) as err:
        read_pdf(bomb, "", "bomb.pdf")
    assert str(err.value) == STREAM_REFUSAL.format("bomb.pdf")


def test_an_encrypted_flate_bomb_is_refused_by_klartjek_letter(tmp_path):
    bomb = encrypted(letter(deflated_zeros(GiB), b"/Filter /FlateDecode "))
    assert b"/Encrypt" in bomb and deflated_zeros(MiB)[2:1000] not in bomb     # the stream is encrypted
    path = tmp_path / "encrypted bomb.pdf"
    path.write_bytes(bomb)
    assert_refused_by_cli(path, tmp_path, STREAM_REFUSAL.format(path))
    with pytest.raises(LetterError) as err:
        read_pdf(bomb, "", "encrypted bomb.pdf")
    assert str(err.value) == STREAM_REFUSAL.format("encrypted bomb.pdf")


def test_pikepdf_decrypts_a_stream_without_unpacking_it():
    bomb = encrypted(letter(deflated_zeros(GiB), b"/Filter /FlateDecode "))
    with pikepdf.open(io.BytesIO(bomb)) as pdf:
        raw = pdf.get_object((4, 0)).read_raw_bytes()
    assert raw == deflated_zeros(GiB)          # decrypted, still Flate: 1 MB, not 1 GB


def test_streams_that_together_unpack_to_too_much_are_refused():
    each = 90_000_000                           # under the limit for one stream; three are over the total
    images = [image(deflated_zeros(each), width=5000, height=6000) for _ in range(3)]
    data = letter(TEXT, extra=images)
    with pytest.raises(LetterError) as err:
        read_pdf(data, "", "scans.pdf")
    assert str(err.value) == TOTAL_REFUSAL.format("scans.pdf")
    with pytest.raises(LetterError) as err:
        read_pdf(encrypted(data), "", "scans.pdf")
    assert str(err.value) == TOTAL_REFUSAL.format("scans.pdf")


def test_many_small_streams_that_together_unpack_to_too_much_are_refused():
    images = [image(deflated_zeros(8 * MiB)) for _ in range(25)]      # 25 × 8 MiB = 210 MB
    with pytest.raises(LetterError) as err:
        read_pdf(letter(TEXT, extra=images), "", "many.pdf")
    assert str(err.value) == TOTAL_REFUSAL.format("many.pdf")


SIZE = 300_000_000
WRAPPED = {
    "ascii85 around flate": (b"/Filter [/ASCII85Decode /FlateDecode] ",
                             lambda: base64.a85encode(deflated_zeros(SIZE), wrapcol=72) + b"~>"),
    "hex around flate": (b"/Filter [/AHx /Fl] ", lambda: deflated_zeros(SIZE).hex().encode() + b">"),
    "flate around flate": (b"/Filter [/FlateDecode /FlateDecode] ", lambda: zlib.compress(deflated_zeros(SIZE))),
    "lzw": (b"/Filter /LZWDecode ", lambda: lzw_bomb(SIZE // 3838)),
    "run length around flate": (b"/Filter [/RunLengthDecode /FlateDecode] ", lambda: rl_encode(deflated_zeros(SIZE))),
    "escaped names": (b"/Fil#74er [/ASCII85#44ecode /FlateDecode] ",
                      lambda: base64.a85encode(deflated_zeros(SIZE)) + b"~>"),
    "no dictionary filter at all": (b"", lambda: deflated_zeros(SIZE)),
}


@pytest.mark.parametrize("kind", list(WRAPPED))
def test_bombs_in_other_clothes_are_refused(kind):
    entries, make = WRAPPED[kind]
    data = letter(make(), entries)
    assert len(data) < 4_000_000
    with pytest.raises(LetterError) as err:
        read_pdf(data, "", "x.pdf")
    assert str(err.value) == STREAM_REFUSAL.format("x.pdf")


@pytest.mark.parametrize("eol", [b"\r\n", b"\r", b" \n"])
def test_a_bomb_after_an_unusual_line_end_is_refused(eol):
    data = letter(deflated_zeros(SIZE), b"/Filter /FlateDecode ", eol=eol)
    with pytest.raises(LetterError) as err:
        read_pdf(data, "", "x.pdf")
    assert str(err.value) == STREAM_REFUSAL.format("x.pdf")


def test_a_bomb_in_an_object_stream_is_refused():
    bomb = letter(TEXT, extra=[stream(deflated_zeros(SIZE), b"/Type /ObjStm /N 1 /First 5 /Filter /FlateDecode ")])
    with pytest.raises(LetterError) as err:
        read_pdf(bomb, "", "x.pdf")
    assert str(err.value) == STREAM_REFUSAL.format("x.pdf")


# -- near misses -------------------------------------------------------------------------------------

def test_a_stream_just_under_the_limit_is_read():
    width, height = 4960, 6650                  # an A4 page scanned at 600 dpi, RGB: 98,952,000 bytes
    size = width * height * 3
    assert MAX_STREAM_BYTES - 2_000_000 < size <= MAX_STREAM_BYTES
    draw = b"q 595 0 0 842 0 0 cm /Im0 Do Q " + TEXT
    data = letter(draw, extra=[image(deflated_zeros(size), width=width, height=height)])
    facts, blocks = read_pdf(data, "", "scan.pdf")
    assert facts["page_info"][0]["images"] == 1
    assert blocks == [("paragraph", 0, "Kære borger, du har en tid hos tandlægen.")]
    facts, _ = read_pdf(encrypted(data), "", "scan.pdf")
    assert facts["encrypted"] and facts["page_info"][0]["images"] == 1


def test_streams_just_under_the_total_are_read():
    images = [image(deflated_zeros(95_000_000), width=5000, height=6000) for _ in range(2)]
    facts, blocks = read_pdf(letter(TEXT, extra=images), "", "two.pdf")
    assert facts["pages"] == 1 and blocks


def test_every_fixture_reads_as_before_and_the_scan_is_quick():
    import json

    expected = json.loads((FIX / "expected.json").read_text(encoding="utf-8"))
    for path in sorted(FIX.glob("*.pdf")):
        data = path.read_bytes()
        start = time.perf_counter()
        pdfmod._check_bombs(data, path.name)
        assert time.perf_counter() - start < 0.25, path.name
        if path.name in expected["errors"]:
            with pytest.raises(LetterError) as err:
                read_pdf(data, "", path.name)
            assert expected["errors"][path.name] in str(err.value) and "refused" not in str(err.value)
        else:
            facts, blocks = read_pdf(data, "", path.name)
            assert facts["pages"] >= 1
            gather_letter(data, path.name)


def test_the_decoders_agree_with_pdfminer():
    text = (TEXT * 50 + bytes(range(256)) * 20 + b"\x00" * 5000 + b"abcabcabd" * 300 + os.urandom(3000))

    def run(decoder, encoded: bytes, chunk: int) -> bytes:
        pieces = (memoryview(encoded)[i:i + chunk] for i in range(0, len(encoded), chunk))
        return b"".join(decoder(pieces))

    a85 = base64.a85encode(text, wrapcol=75).replace(b"!!!!!", b"z") + b"~>"
    hexed = b"\n".join(text.hex().encode()[i:i + 64] for i in range(0, len(text) * 2, 64)) + b">"
    lzw = lzw_encode(text * 3)
    rl = rl_encode(text)
    for chunk in (1, 7, 64, 4096, 1 << 16):
        assert run(pdfmod._una85, a85, chunk) == ascii85decode(a85) == text
        assert run(pdfmod._unhex, hexed, chunk) == asciihexdecode(hexed) == text
        assert run(pdfmod._unrl, rl, chunk) == rldecode(rl) == text
        assert run(pdfmod._inflate, zlib.compress(text), chunk) == text
        if chunk >= 64:
            assert run(pdfmod._unlzw, lzw, chunk) == lzwdecode(lzw) == text * 3
    assert run(pdfmod._unhex, b"4a6>", 2) == asciihexdecode(b"4a6>") == b"J`"     # an odd last digit: 6 is 60
    zeros = b"".join(pdfmod._unlzw([lzw_bomb(2000)]))
    assert zeros == lzwdecode(lzw_bomb(2000)) == bytes(1 + sum(range(2, 2002)))


# -- a looping page tree -----------------------------------------------------------------------------------

LOOPS = {
    "kids hold the pages node": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(TEXT), FONT],
    "a loop two levels down": [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [6 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 6 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(TEXT), FONT,
        b"<< /Type /Pages /Parent 2 0 R /Kids [3 0 R 2 0 R] /Count 1 >>"],
}


@pytest.mark.parametrize("kind", list(LOOPS))
def test_a_looping_page_tree_is_one_clean_line(kind):
    data = make_pdf(LOOPS[kind])
    for call in (lambda: read_pdf(data, "", "loop.pdf"), lambda: gather_letter(data, "loop.pdf")):
        with pytest.raises(LetterError) as err:
            call()
        msg = str(err.value)
        assert msg == LOOP.format("loop.pdf")
        assert "<" not in msg and "object at 0x" not in msg and "pikepdf." not in msg and "\n" not in msg


def test_a_looping_page_tree_by_klartjek_letter(tmp_path):
    path = tmp_path / "loop.pdf"
    path.write_bytes(make_pdf(LOOPS["kids hold the pages node"]))
    code, output, _ = klartjek_letter(path, tmp_path)
    assert code == 2
    assert [ln for ln in output.splitlines() if ln.startswith("✗")] == [f"✗ {LOOP.format(path)}"]
    assert "object at 0x" not in output and "pikepdf." not in output and "BytesIO" not in output


def test_reasons_lose_the_in_memory_file_name():
    exc = RuntimeError("stream <_io.BytesIO object at 0x7f4160737b50> (object 2 0): something broke (getX)")
    assert pdfmod._reason(exc) == "something broke (getX)"
    exc = RuntimeError("<_io.BytesIO object at 0x7f41607> (offset 12): bad xref")
    assert pdfmod._reason(exc) == "bad xref"
    assert pdfmod._reason(RuntimeError("nested <_io.BytesIO object at 0xabc> here")) == "nested here"
