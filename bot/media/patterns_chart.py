"""The `/patterns` chart as a PNG: the core's `Chart` figures drawn with Pillow, labels from the catalogs.

No display, no system fonts: Lato comes from its package (installed from the lock file), so the picture looks
the same on every machine. Portrait, 1080 wide, large type and calm colours: it is looked at on a phone. It
draws only what the `Chart` holds (counts and the person's own tension), so it can show nothing private.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib.resources import files
from typing import Protocol

from PIL import Image, ImageDraw, ImageFont

from bot.core.chart import Chart
from bot.core.effects import Msg
from bot.i18n import Renderer

FILE_NAME = "adempauze-patterns.png"
WIDTH = 1080
MARGIN = 72
INNER = WIDTH - 2 * MARGIN
TALL = 2000  # drawn on this much, then cut to what was used

BACKGROUND = (248, 245, 239)
INK = (47, 52, 55)
MUTED = (108, 113, 117)
LINE = (224, 219, 210)
EMPTY = (232, 227, 219)
CALM = (79, 138, 139)  # time-outs, on time, "you", after breathing
EXTRA = (226, 180, 104)  # after extra time
MISSED = (183, 160, 154)  # missed: dusty, not alarming
PARTNER = (150, 136, 185)
BEFORE = (214, 140, 110)


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "Lato-Bold.ttf" if bold else "Lato-Regular.ttf"
    with (files("font_lato") / "files" / name).open("rb") as f:
        return ImageFont.truetype(io.BytesIO(f.read()), size)


@dataclass
class Canvas:
    """A tall page and a pen position that moves down as sections are drawn."""

    draw: ImageDraw.ImageDraw
    y: int = 0

    def text(self, x: float, text: str, size: int, fill: tuple[int, int, int] = INK, bold: bool = False,
             anchor: str = "la", y: float | None = None) -> float:
        """Draw text; returns its right edge."""
        f = font(size, bold)
        at = self.y if y is None else y
        self.draw.text((x, at), text, font=f, fill=fill, anchor=anchor)
        return float(self.draw.textbbox((x, at), text, font=f, anchor=anchor)[2])

    def heading(self, text: str) -> None:
        self.text(MARGIN, text, 38, bold=True)
        self.y += 62


def width(text: str, size: int, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


def render(chart: Chart, r: Renderer) -> bytes:
    """The chart as PNG bytes, every word in the language of `r`."""
    image = Image.new("RGB", (WIDTH, TALL), BACKGROUND)
    c = Canvas(ImageDraw.Draw(image), MARGIN)

    def say(key: str, /, **params: str | int | Msg) -> str:
        return r.text(Msg.of(key, **params))

    c.text(MARGIN, say("patterns.chart.title"), 52, bold=True)
    c.y += 100
    _weeks(c, chart, say)
    c.y += 56
    _returns(c, chart, say)
    if chart.paired:
        c.y += 56
        _who(c, chart, say)
    c.y += 56
    _tension(c, chart, say)
    c.y += 40
    c.draw.line((MARGIN, c.y, WIDTH - MARGIN, c.y), fill=LINE, width=2)
    c.y += 28
    c.text(MARGIN, say("patterns.chart.footer"), 30, MUTED)
    c.y += 40 + MARGIN
    out = io.BytesIO()
    image.crop((0, 0, WIDTH, min(c.y, TALL))).save(out, format="PNG", compress_level=6)  # ~5x faster than optimize
    return out.getvalue()


class Say(Protocol):
    """A catalog text in the reader's language."""

    def __call__(self, key: str, /, **params: str | int | Msg) -> str: ...


def _weeks(c: Canvas, chart: Chart, say: Say) -> None:
    c.heading(say("patterns.chart.per_week"))
    n = len(chart.weeks)
    height = 300
    top = c.y + 44  # room for the count above the tallest bar
    base = top + height
    step = INNER / n
    bar = step * 0.64
    peak = max(3, *chart.weeks) if chart.weeks else 3
    for i, count in enumerate(chart.weeks):
        x0 = MARGIN + i * step + (step - bar) / 2
        if count:
            h = max(8.0, height * count / peak)
            c.draw.rounded_rectangle((x0, base - h, x0 + bar, base), radius=10, fill=CALM)
            c.text(x0 + bar / 2, str(count), 30, INK, bold=True, anchor="md", y=base - h - 10)
        else:
            c.draw.rounded_rectangle((x0, base - 6, x0 + bar, base), radius=3, fill=EMPTY)
    c.draw.line((MARGIN, base + 2, WIDTH - MARGIN, base + 2), fill=LINE, width=2)
    months = say("patterns.chart.months").split()
    labels_y = base + 18
    for i in range(0, n - 1, 4):  # a date under every fourth week, "this week" under the last
        day = chart.first_day + timedelta(weeks=i)
        label = say("patterns.chart.date", day=day.day, month=months[day.month - 1])
        c.text(MARGIN + i * step + step / 2, label, 28, MUTED, anchor="ma", y=labels_y)
    c.text(WIDTH - MARGIN, say("patterns.chart.this_week"), 28, MUTED, anchor="ra", y=labels_y)
    c.y = labels_y + 40


def _legend(c: Canvas, items: list[tuple[tuple[int, int, int], str]], size: int = 32) -> None:
    """Coloured dots with their words, left to right, on as many lines as they need."""
    x = float(MARGIN)
    for colour, words in items:
        need = 34 + width(words, size) + 40
        if x > MARGIN and x + need > WIDTH - MARGIN:
            x = MARGIN
            c.y += 50
        c.draw.ellipse((x, c.y + 9, x + 22, c.y + 31), fill=colour)
        x = c.text(x + 34, words, size) + 40
    c.y += 50


def _returns(c: Canvas, chart: Chart, say: Say) -> None:
    c.heading(say("patterns.chart.returns"))
    parts = [(chart.on_time, CALM, "patterns.chart.on_time"), (chart.extended, EXTRA, "patterns.chart.extended"),
             (chart.missed, MISSED, "patterns.chart.missed")]
    total = sum(n for n, _, _ in parts)
    if not total:
        c.draw.rounded_rectangle((MARGIN, c.y, WIDTH - MARGIN, c.y + 52), radius=26, fill=EMPTY)
        c.text(WIDTH / 2, say("patterns.chart.no_returns"), 30, MUTED, anchor="mm", y=c.y + 26)
        c.y += 52 + 22
        return
    x = float(MARGIN)
    shown = [(n, colour) for n, colour, _ in parts if n]
    least = 28.0  # every part that happened stays visible, however few next to the others
    room = INNER - least * len(shown)
    for i, (n, colour) in enumerate(shown):
        w = least + room * n / total if i < len(shown) - 1 else WIDTH - MARGIN - x
        c.draw.rectangle((x, c.y, x + w, c.y + 51), fill=colour)
        x += w
    _round_ends(c, c.y, 52)
    c.y += 52 + 22
    _legend(c, [(colour, f"{n} {say(key)}") for n, colour, key in parts])


def _round_ends(c: Canvas, y: int, h: int) -> None:
    """Soft ends for a bar drawn of square segments: the background cut back in at both corners."""
    mask = Image.new("L", (WIDTH, h), 255)
    ImageDraw.Draw(mask).rounded_rectangle((MARGIN, 0, WIDTH - MARGIN, h - 1), radius=h // 2, fill=0)
    c.draw.bitmap((0, y), mask, fill=BACKGROUND)


def _who(c: Canvas, chart: Chart, say: Say) -> None:
    c.heading(say("patterns.chart.who"))
    you, partner = say("patterns.chart.you"), say("patterns.chart.partner")
    rows = [("patterns.chart.started", chart.started_by_me, chart.started_by_partner),
            ("patterns.chart.extra", chart.extended_by_me, chart.extended_by_partner)]
    column = MARGIN + max(width(say(key), 32) for key, _, _ in rows) + 48
    for key, mine, theirs in rows:
        c.text(MARGIN, say(key), 32, MUTED)
        x = float(column)
        for colour, words in ((CALM, f"{you} {mine}"), (PARTNER, f"{partner} {theirs}")):
            c.draw.ellipse((x, c.y + 9, x + 22, c.y + 31), fill=colour)
            x = c.text(x + 34, words, 32, bold=True) + 48
        c.y += 54


def _tension(c: Canvas, chart: Chart, say: Say) -> None:
    c.heading(say("patterns.chart.tension"))
    before, after = chart.tension_before, chart.tension_after
    if before is None or after is None:
        c.text(MARGIN, say("patterns.chart.no_tension"), 32, MUTED)
        c.y += 50
        return
    label_w = max(width(say(k), 30) for k in ("patterns.chart.before", "patterns.chart.after")) + 36
    track = INNER - label_w - 110
    for key, value, colour in (("patterns.chart.before", before, BEFORE), ("patterns.chart.after", after, CALM)):
        c.text(MARGIN, say(key), 30, MUTED, y=c.y + 4)
        x0 = MARGIN + label_w
        c.draw.rounded_rectangle((x0, c.y, x0 + track, c.y + 40), radius=20, fill=EMPTY)
        filled = track * min(max(value, 0), 100) / 100
        if filled >= 8:
            c.draw.rounded_rectangle((x0, c.y, x0 + max(filled, 40), c.y + 40), radius=20, fill=colour)
        whole, tenth = divmod(value, 10)
        c.text(WIDTH - MARGIN, say("patterns.decimal", whole=whole, tenth=tenth), 34, bold=True, anchor="ra",
               y=c.y + 1)
        c.y += 64
