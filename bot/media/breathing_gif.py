"""The breathing guide as a looping GIF, drawn with Pillow: a circle that grows on the in-breath, rests on a hold
and shrinks on the out-breath, the phase word in the person's language under it, the seconds left in the phase
inside it.

One GIF is one cycle of a pattern (core/breathing.py) and loops; its frame delays add up to the pattern's seconds
exactly, and every phase starts on a frame boundary (the phases are whole multiples of the frame time). Frames that
show the same picture (a hold between two seconds) are merged by Pillow into one longer frame, so a hold costs
almost nothing. The words come from the catalogs (`pacer.<phase>`), so a new language needs no code.

Built once per (pattern, language) and kept: `animation()` caches the result in memory for the process; the
`key` (pattern, language and a hash of the bytes) lets an adapter keep what a platform gave back for it (a
Telegram file_id) and know when a new rendering makes that stale.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import math
import threading
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from bot.core import breathing
from bot.i18n import catalog

WIDTH, HEIGHT = 256, 288
CENTRE = (128, 128)
R_MIN, R_MAX = 42, 106
"""The circle's radius at the bottom of the out-breath and the top of the in-breath (pixels)."""
FRAME_MS = 100
"""One frame every 0.1 s: every pattern's phases are whole multiples of it, so the timing is exact."""
TOP_UP_FROM = 0.8
"""How full the in-breath is before the short top-up sip (the sigh pattern)."""

BACKGROUND = (30, 52, 64)  # a deep, quiet blue-green
GUIDE = (58, 88, 100)  # the faint ring that shows how far the circle will grow
FILL = (134, 191, 176)  # soft sea green
FILL_EDGE = (164, 211, 196)
WORD = (232, 240, 236)  # warm off-white
COUNT = BACKGROUND  # the seconds, in the circle
RENDERING = "breathing-gif/1"
"""Bumped when the drawing changes; part of every cache key along with the bytes' hash."""


@dataclass(frozen=True, slots=True)
class Animation:
    """A rendered guide: the GIF bytes, its cache key, its size and its length (one cycle, in seconds)."""

    pattern: str
    locale: str
    data: bytes
    key: str
    width: int
    height: int
    seconds: float

    @property
    def filename(self) -> str:
        return f"adem-{self.pattern}-{self.locale}.gif"


_lock = threading.Lock()
_made: dict[tuple[str, str], Animation] = {}
renders = 0
"""How many GIFs this process has drawn (tests: built once, reused after)."""


def animation(pattern_id: str, locale: str) -> Animation:
    """The guide for this pattern in this language: drawn the first time, from memory after (thread-safe)."""
    pattern = breathing.PATTERNS.get(pattern_id, breathing.PATTERNS[breathing.DEFAULT])
    key = (pattern.id, locale)
    with _lock:
        made = _made.get(key)
        if made is None:
            made = _made[key] = _draw(pattern, locale)
        return made


async def load(pattern_id: str, locale: str) -> Animation:
    """`animation()` for the event loop: the first drawing (a few tenths of a second) runs in a worker thread."""
    made = _made.get((pattern_id, locale))
    return made if made is not None else await asyncio.to_thread(animation, pattern_id, locale)


def _draw(pattern: breathing.Pattern, locale: str) -> Animation:
    global renders
    renders += 1
    data = render(pattern, words(locale))
    digest = hashlib.sha256(RENDERING.encode() + data).hexdigest()[:16]
    return Animation(pattern.id, locale, data, f"{pattern.id}:{locale}:{digest}", WIDTH, HEIGHT,
                     pattern.cycle_seconds)


def words(locale: str) -> dict[str, str]:
    """The phase words of a language, from its catalog, without the pacer's dots, each starting as a sentence."""
    texts = catalog(locale)
    out = {}
    for phase in breathing.PHASE_KEYS:
        word = texts[f"pacer.{phase}"].strip().strip("…. ").strip()
        out[phase] = word[:1].upper() + word[1:]
    return out


def fullness(pattern: breathing.Pattern) -> list[tuple[str, float, float, float]]:
    """Per phase: (phase key, seconds, fullness at its start, at its end); 0 is empty lungs, 1 full."""
    out = []
    level = 0.0
    has_top_up = any(phase == "top_up" for phase, _ in pattern.phases)
    for phase, seconds in pattern.phases:
        if phase == "inhale":
            end = TOP_UP_FROM if has_top_up else 1.0
        elif phase == "top_up":
            end = 1.0
        elif phase == "exhale":
            end = 0.0
        else:  # hold
            end = level
        out.append((phase, seconds, level, end))
        level = end
    return out


def ease(t: float) -> float:
    """Slow at the turns, like a breath: a half cosine."""
    return 0.5 - 0.5 * math.cos(math.pi * max(0.0, min(1.0, t)))


def timeline(pattern: breathing.Pattern) -> list[tuple[str, float, int]]:
    """One entry per frame: (phase key, fullness 0..1, whole seconds left in the phase, rounded up)."""
    frames = []
    for phase, seconds, start, end in fullness(pattern):
        n = round(seconds * 1000 / FRAME_MS)
        for i in range(n):
            t = (i + 1) / n  # the frame shows where the breath is at the end of its 0.1 s
            left = math.ceil(seconds - i * FRAME_MS / 1000 - 1e-9)
            frames.append((phase, start + (end - start) * ease(t), left))
    return frames


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)  # Pillow's own font: the same pixels on every machine


def frame(phase_word: str, level: float, left: int) -> Image.Image:
    """One picture of the guide."""
    img = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    d = ImageDraw.Draw(img)
    cx, cy = CENTRE
    d.ellipse((cx - R_MAX, cy - R_MAX, cx + R_MAX, cy + R_MAX), outline=GUIDE, width=2)
    r = R_MIN + (R_MAX - R_MIN) * level
    d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=FILL, outline=FILL_EDGE, width=3)
    d.text((cx, cy), str(left), fill=COUNT, font=_font(28), anchor="mm")
    d.text((cx, HEIGHT - 28), phase_word, fill=WORD, font=_font(24), anchor="mm")
    return img


@cache
def _palette() -> Image.Image:
    """A fixed palette: the guide's colours and the steps between the pairs that touch (anti-aliased edges)."""
    pairs = [(BACKGROUND, FILL), (BACKGROUND, FILL_EDGE), (FILL, FILL_EDGE), (BACKGROUND, GUIDE), (BACKGROUND, WORD),
             (FILL, COUNT), (FILL_EDGE, COUNT), (GUIDE, FILL_EDGE)]
    colours: list[tuple[int, int, int]] = []
    for a, b in pairs:
        for k in range(6):
            c = tuple(round(a[i] + (b[i] - a[i]) * k / 5) for i in range(3))
            if c not in colours:
                colours.append(c)  # type: ignore[arg-type]
    flat = [v for c in colours for v in c]
    img = Image.new("P", (1, 1))
    img.putpalette(flat + flat[:3] * (256 - len(colours)))
    return img


def render(pattern: breathing.Pattern, phase_words: dict[str, str]) -> bytes:
    """One cycle of the pattern as a looping GIF (a few colours, identical frames merged)."""
    pictures: list[Image.Image] = []
    by_look: dict[tuple[str, int, int], Image.Image] = {}
    for phase, level, left in timeline(pattern):
        look = (phase_words[phase], round(level * (R_MAX - R_MIN)), left)  # a pixel of radius is the finest step
        picture = by_look.get(look)
        if picture is None:
            drawn = frame(look[0], look[1] / (R_MAX - R_MIN), left)
            picture = by_look[look] = drawn.quantize(palette=_palette(), dither=Image.Dither.NONE)
        pictures.append(picture)
    out = io.BytesIO()
    pictures[0].save(out, format="GIF", save_all=True, append_images=pictures[1:], duration=FRAME_MS, loop=0)
    return out.getvalue()


def still(pattern_id: str, locale: str, at_seconds: float) -> Image.Image:
    """The guide at a moment of its cycle, as a full-colour picture (the README's frame)."""
    pattern = breathing.PATTERNS[pattern_id]
    entries = timeline(pattern)
    i = max(0, min(len(entries) - 1, int(at_seconds * 1000 / FRAME_MS)))
    phase, level, left = entries[i]
    return frame(words(locale)[phase], level, left)
