"""Rich consoles whose every output is safe for a terminal (core/safe_text.py): a render hook
passes whatever is printed — strings, tables, reports — through ``printable``, segment by segment,
so no control character of a page or document reaches the terminal, wherever it was printed from."""
from __future__ import annotations

from rich.console import Console, RenderHook
from rich.segment import Segment

from core.safe_text import printable


class _Printable:
    def __init__(self, inner) -> None:
        self.inner = inner

    def __rich_console__(self, console, options):
        for seg in console.render(self.inner, options):
            if seg.control or not seg.text:
                yield seg
            else:
                yield Segment(printable(seg.text), seg.style)


class _Hook(RenderHook):
    def process_renderables(self, renderables):
        return [_Printable(r) for r in renderables]


def safe_console(**kwargs) -> Console:
    """A console for klartjek's output (``Console`` arguments as Rich takes them)."""
    console = Console(highlight=False, **kwargs)
    console.push_render_hook(_Hook())
    return console
