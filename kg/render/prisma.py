"""A PRISMA 2020 flow diagram as SVG, drawn from kg.analysis.prisma.PrismaFlow.

The layout follows the PRISMA 2020 template for new reviews (identification, screening, included, with the
removed and excluded records in boxes to the right); every text is XML-escaped and the drawing is
self-contained (no fonts, scripts or links), so it can be written to a file or inlined in a page.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from html import escape

from kg.analysis.prisma import PrismaFlow

FONT = 13
LINE = 17
PAD = 10
MAIN_X, MAIN_W = 60, 340
SIDE_X, SIDE_W = 450, 340
WIDTH = SIDE_X + SIDE_W + 10
GAP = 40
MIN_LINES = 4
WRAP = 46  # characters per line in a box of 340 px at 13 px


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    lines: list[str]
    dashed: bool = False

    @property
    def h(self) -> int:
        return len(self.lines) * LINE + 2 * PAD


def _n(value: int) -> str:
    return f"{value:,}"


def _wrap(texts: list[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        first = " " * (len(text) - len(text.lstrip(" ")))  # a leading indent marks a sub-item
        out += textwrap.wrap(text.strip(), WRAP, initial_indent=first, subsequent_indent=first + "  ") or [""]
    return out


def flow_boxes(flow: PrismaFlow) -> tuple[list[Box], list[tuple[str, int, int]], list[tuple[int, int, int, int]]]:
    """The boxes, the phase labels (text, top, bottom) and the arrows (x1, y1, x2, y2) of the diagram."""
    y = 10
    identified = _wrap([f"Records identified (n = {_n(flow.identified)}):"]
                       + [f"  {s.label}: n = {_n(s.records)}" for s in flow.sources])
    removed = _wrap(["Records removed before screening:", f"  Duplicate records (n = {_n(flow.duplicates)})",
                     f"    found on import: n = {_n(flow.duplicates_on_import)}",
                     f"    marked on review: n = {_n(flow.duplicates_on_review)}",
                     f"  Records that could not be read (n = {_n(flow.unreadable)})"])
    h1 = max(len(identified), len(removed)) * LINE + 2 * PAD
    boxes = [Box(MAIN_X, y, MAIN_W, identified), Box(SIDE_X, y, SIDE_W, removed)]
    arrows = [(MAIN_X + MAIN_W, y + h1 // 2, SIDE_X, y + h1 // 2)]
    phases = [("Identification", y, y + h1)]
    boxes = [Box(b.x, b.y, b.w, b.lines + [""] * ((h1 - b.h) // LINE)) for b in boxes]

    y2 = y + h1 + GAP
    screened = _wrap([f"Records screened (n = {_n(flow.screened)})"])
    excluded = _wrap([f"Records excluded (n = {_n(flow.excluded)})"]
                     + [f"  {reason}: n = {_n(count)}" for reason, count in flow.exclusions])
    h2 = max(len(screened), len(excluded)) * LINE + 2 * PAD
    boxes += [Box(MAIN_X, y2, MAIN_W, screened + [""] * (h2 // LINE - len(screened) - 1)),
              Box(SIDE_X, y2, SIDE_W, excluded)]
    arrows += [(MAIN_X + MAIN_W // 2, y + h1, MAIN_X + MAIN_W // 2, y2), (MAIN_X + MAIN_W, y2 + h2 // 2, SIDE_X, y2 + h2 // 2)]

    y3 = y2 + h2 + GAP
    waiting = _wrap([f"Records awaiting screening (n = {_n(flow.awaiting)})",
                     f"  possible duplicates to review: n = {_n(flow.possible_duplicates)}"])
    y_wait = y2 + h2 + GAP // 2
    boxes.append(Box(SIDE_X, y_wait, SIDE_W, waiting, dashed=True))
    phases.append(("Screening", y2, y_wait + len(waiting) * LINE + 2 * PAD))
    y3 = max(y3, y_wait + len(waiting) * LINE + 2 * PAD + GAP)
    included = _wrap([f"Studies included in review (n = {_n(flow.included)})"])
    included += [""] * (MIN_LINES - len(included))  # tall enough for its phase label
    boxes.append(Box(MAIN_X, y3, MAIN_W, included))
    arrows.append((MAIN_X + MAIN_W // 2, y2 + h2, MAIN_X + MAIN_W // 2, y3))
    phases.append(("Included", y3, y3 + len(included) * LINE + 2 * PAD))
    return boxes, phases, arrows


def prisma_svg(flow: PrismaFlow, title: str = "PRISMA 2020 flow diagram") -> str:
    """The flow diagram as a standalone SVG document."""
    boxes, phases, arrows = flow_boxes(flow)
    height = max(b.y + b.h for b in boxes) + 10
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" font-size="{FONT}" '
           f'role="img" aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" '
           'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>',
           f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>']
    for text, top, bottom in phases:
        middle = (top + bottom) // 2
        out.append(f'<rect x="8" y="{top}" width="30" height="{bottom - top}" rx="6" fill="#9fc5e8" stroke="#3d6f9e"/>'
                   f'<text x="23" y="{middle}" transform="rotate(-90 23 {middle})" text-anchor="middle" '
                   f'dominant-baseline="central" font-weight="bold">{escape(text)}</text>')
    for b in boxes:
        dash = ' stroke-dasharray="5 4"' if b.dashed else ""
        out.append(f'<rect x="{b.x}" y="{b.y}" width="{b.w}" height="{b.h}" fill="#ffffff" stroke="#333"{dash}/>')
        for i, line in enumerate(b.lines):
            if line:
                out.append(f'<text x="{b.x + PAD}" y="{b.y + PAD + (i + 1) * LINE - 4}" xml:space="preserve">'
                           f"{escape(line)}</text>")
    for x1, y1, x2, y2 in arrows:
        out.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#333" stroke-width="1.5" '
                   'marker-end="url(#arrow)"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
