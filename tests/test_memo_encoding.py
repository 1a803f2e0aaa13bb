"""A MeMo message saved as UTF-16 (little or big endian, with a byte order mark and
encoding="UTF-16") is read like the UTF-8 original: the format sniffer (audit/letters/__init__.py)
decodes the head before looking for "<", the XML parser decodes the rest, and the artifacts and the
findings are those of the UTF-8 file. (MeMo files are made as UTF-8; klartjek reads UTF-16 too and
adds no finding about it.)"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from audit.letters import check_format, gather_letter, sniff

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures" / "letters" / "memo"
BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}


def utf16(data: bytes, encoding: str, bom: bool = True) -> bytes:
    """The UTF-8 message re-encoded, its XML declaration saying UTF-16."""
    text, n = re.subn(r"""(<\?xml[^>]*\bencoding=)(["'])UTF-8\2""", r'\1"UTF-16"', data.decode("utf-8"),
                      count=1, flags=re.IGNORECASE)
    assert n == 1, "the fixture has no encoding declaration to change"
    return (BOMS[encoding] if bom else b"") + text.encode(encoding)


def test_sniff_reads_the_head_of_utf16_and_utf8_text():
    xml = '<?xml version="1.0" encoding="UTF-16"?>\n<Message/>'
    html = "\n  <!DOCTYPE html><html><body>brev</body></html>"
    for enc, bom in BOMS.items():
        assert sniff(bom + xml.encode(enc)) == "xml"
        assert sniff(xml.encode(enc)) == "xml"                 # no byte order mark: from "<" (XML 1.0 F.1)
        assert sniff(bom + html.encode(enc)) == "html"
        assert sniff(html.encode(enc)) == "html"               # starting with white space
        assert sniff(bom + ("<a>" + "ø" * 2000 + "</a>").encode(enc)) == "xml"   # a head cut anywhere
        assert sniff(bom + "Kære borger".encode(enc)) is None
    assert sniff(b"\xef\xbb\xbf" + xml.encode()) == "xml"
    assert sniff(xml.encode()) == "xml"
    assert sniff(b"\x00\x00\x00<") is None                     # UTF-32: not read
    assert sniff(b"\xff\xfe\x00\x00<\x00\x00\x00") is None


@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_a_utf16_memo_is_accepted_as_memo(encoding):
    data = (FIX / "minimal.xml").read_bytes()
    assert check_format(utf16(data, encoding), "brev.xml") == "memo"
    assert check_format(utf16(data, encoding, bom=False), "brev.xml") == "memo"


@pytest.mark.parametrize("fixture", ["minimal.xml", "full.xml", "bad.xml"])
@pytest.mark.parametrize("encoding", sorted(BOMS))
def test_utf16_memo_gives_the_artifacts_of_utf8(fixture, encoding):
    data = (FIX / fixture).read_bytes()
    try:
        want = gather_letter(data, fixture)
    except NotImplementedError:
        pytest.skip("audit/letters/pdf.py read_pdf is still a stub (NotImplementedError)")
    for variant in (utf16(data, encoding), utf16(data, encoding, bom=False)):
        got = gather_letter(variant, fixture)
        assert got["memo"] == want["memo"]
        assert got["text"] == want["text"]
        assert got["letter"]["format"] == "memo"
        assert want["text"]["text"].strip() or fixture == "bad.xml"     # bad.xml: its main file is a TIFF


def _findings(path: Path, tmp: Path) -> tuple[int, list, list]:
    """klartjek letter PATH: the exit code, each check's (code, outcome), each finding's (code, target)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "cli", "letter", str(path), "--db", str(tmp / "h.sqlite"),
                           "--json", str(tmp / "r.json")], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    report = json.loads((tmp / "r.json").read_text(encoding="utf-8"))
    [doc] = report["documents"]
    assert doc["status"] == "ok" and not doc["error"], (doc["status"], doc["error"])
    results = sorted((r["code"], r["outcome"]) for r in doc["results"])
    found = sorted((r["code"], f["target"]) for r in doc["results"] for f in r["findings"])
    return proc.returncode, results, found


@pytest.mark.parametrize("fixture", ["minimal.xml", "bad.xml"])
def test_klartjek_letter_finds_the_same_in_utf16_and_utf8(fixture, tmp_path):
    data = (FIX / fixture).read_bytes()
    (tmp_path / "utf-8").mkdir()
    (tmp_path / "utf-8" / fixture).write_bytes(data)
    want = _findings(tmp_path / "utf-8" / fixture, tmp_path / "utf-8")
    assert want[1] and (want[2] or fixture == "minimal.xml")
    for encoding in sorted(BOMS):
        folder = tmp_path / encoding
        folder.mkdir()
        (folder / fixture).write_bytes(utf16(data, encoding))
        assert _findings(folder / fixture, folder) == want, encoding
