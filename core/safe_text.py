"""Text from pages and documents is untrusted: what is printed to a terminal never carries its
control characters (ESC sequences can retitle the window, clear the screen, fake output; bidi
overrides reorder what is shown). They are shown as visible escapes instead: ``\\x1b``."""
from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate marks
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, one_line: bool = False) -> str:
    """``text`` with control characters as visible escapes (newlines and tabs kept, unless
    ``one_line``)."""
    return (_UNSAFE_LINE if one_line else _UNSAFE).sub(_visible, text)


def json_safe(text: str) -> str:
    """JSON text whose strings hold no raw C1 or bidi control characters (JSON writers escape only
    C0): each becomes a \\uXXXX escape, which is valid in a JSON string, the only place they occur."""
    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


def markup_safe(text: str) -> str:
    """XML or HTML text with C1 and bidi control characters as character references."""
    return re.sub("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]", lambda m: f"&#x{ord(m.group()):x};", text)
