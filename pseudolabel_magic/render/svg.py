"""A tiny SVG writer whose output survives every notebook renderer.

GitHub and nbconvert strip ``<style>`` and ``<script>``, and dark themes invert or ignore
CSS, so every colour and font is an SVG presentation attribute, arrowheads are drawn
polygons (``<marker>`` ids would collide between two diagrams on one page), and the whole
picture sits on its own light background rectangle so it reads on light and dark themes.
Every string passes through :func:`html.escape` here, in one place.

A picture is ``width="100%"`` with a ``viewBox``: it shrinks to any output width, keeping its
proportions. :class:`Diagram` sends it to notebooks inside HTML (never as ``image/svg+xml``,
which JupyterLab draws as an image that does not shrink), in a ``<div>`` that caps it at
its drawn width; a renderer that drops that cap still shows it at the output's width.
"""

from __future__ import annotations

import html
import math

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
TEXT = "#1b1f24"
MUTED = "#4a5560"
BACKGROUND = "#f4f6f8"
BORDER = "#8a96a3"
ARROW = "#3d4852"

#: mid-tone fills with dark text, and a darker stroke of the same hue
PALETTE = {
    "data": ("#9cc3e6", "#2f5d8a"),
    "validation": ("#d2a8e0", "#6b3a80"),
    "pending": ("#c5ccd3", "#5b6670"),
    "running": ("#f5c96a", "#9a6b00"),
    "done": ("#8fd19e", "#2e7d44"),
    "failed": ("#f0938c", "#a3271d"),
    "warned": ("#f5c96a", "#7a5500"),  # found and neutralised: kept out or scored apart
}


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def clip(name, limit: int = 22) -> str:
    """``name`` cut to ``limit`` characters with an ellipsis."""
    name = str(name)
    return name if len(name) <= limit else name[: limit - 1] + "\u2026"


def mix(colour: str, toward: str = BACKGROUND, share: float = 0.6) -> str:
    """``colour`` moved ``share`` of the way to ``toward`` (both ``#rrggbb``): a dimmed fill."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(toward[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b))


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


class Canvas:
    """Collects SVG elements; :meth:`to_svg` wraps them with a title and a background."""

    def __init__(self, width: int, height: int, title: str):
        self.width, self.height, self.title = width, height, title
        self.parts: list[str] = []

    def rect(self, x, y, w, h, fill, stroke, *, rx=6, width=1.5, dash=None, opacity=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        extra += f' opacity="{opacity}"' if opacity is not None else ""
        self.parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" rx="{rx}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"{extra}/>')

    def text(self, x, y, value, *, size=12, anchor="start", weight="normal", fill=TEXT):
        self.parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" font-family="{FONT}" font-size="{size}" '
            f'font-weight="{weight}" text-anchor="{anchor}" fill="{fill}">{esc(value)}</text>')

    def circle(self, cx, cy, r, fill, stroke):
        self.parts.append(f'<circle cx="{_num(cx)}" cy="{_num(cy)}" r="{r}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="1.5"/>')

    def path(self, points, *, stroke=ARROW, width=1.6, dash=None, head=True):
        """A polyline through ``points`` with an arrowhead drawn at the last point."""
        d = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<polyline points="{d}" fill="none" stroke="{stroke}" '
                          f'stroke-width="{width}"{extra}/>')
        if head:
            (x0, y0), (x1, y1) = points[-2], points[-1]
            angle = math.atan2(y1 - y0, x1 - x0)
            left = (x1 - 9 * math.cos(angle - 0.45), y1 - 9 * math.sin(angle - 0.45))
            right = (x1 - 9 * math.cos(angle + 0.45), y1 - 9 * math.sin(angle + 0.45))
            pts = " ".join(f"{_num(x)},{_num(y)}" for x, y in ((x1, y1), left, right))
            self.parts.append(f'<polygon points="{pts}" fill="{stroke}"/>')

    def open_group(self, opacity=None):
        self.parts.append(f'<g opacity="{opacity}">' if opacity is not None else "<g>")

    def close_group(self):
        self.parts.append("</g>")

    def to_svg(self) -> str:
        w, h = self.width, self.height
        return (f'<svg xmlns="http://www.w3.org/2000/svg" width="100%" '
                f'viewBox="0 0 {w} {h}" role="img" aria-label="{esc(self.title)}">'
                f"<title>{esc(self.title)}</title>"
                f'<rect x="0.5" y="0.5" width="{w - 1}" height="{h - 1}" rx="8" '
                f'fill="{BACKGROUND}" stroke="{BORDER}" stroke-width="1"/>'
                + "".join(self.parts) + "</svg>")


class Diagram:
    """An SVG picture with a plain-text twin; displays wherever a notebook output can.

    ``width`` is the drawing's own width in px: the HTML form is at most that wide and
    shrinks with the output area below it.
    """

    def __init__(self, svg: str, text: str, title: str = "", width: int | None = None):
        self.svg, self.text, self.title, self.width = svg, text, title, width

    def _repr_html_(self) -> str:
        cap = f' style="max-width:{int(self.width)}px"' if self.width else ""
        return f'<div class="pl-diagram"{cap}>{self.svg}</div>'

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        return {"text/html": self._repr_html_(), "text/plain": self.text}

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__
