"""The breathing guide as drawn (bot/media/breathing_gif.py), read back with Pillow: one looping cycle per pattern
whose frame delays add up to the pattern's seconds exactly, a circle that grows on the in-breath, rests on a hold
and shrinks on the out-breath, the phase word changing exactly at the phase boundaries, small enough for a phone,
drawn once per pattern and language."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass

import pytest
from PIL import Image

from bot.core import breathing
from bot.media import breathing_gif as g

CASES = [(p, locale) for p in breathing.PATTERNS for locale in ("nl", "en")]
MAX_BYTES = 150_000
"""About a second on a slow mobile connection (~1.2 Mbit/s)."""


@dataclass(frozen=True)
class Shown:
    start_ms: int
    ms: int
    radius: int
    word_band: bytes


def close(a: tuple[int, ...], b: tuple[int, ...], d: int = 24) -> bool:
    return all(abs(x - y) <= d for x, y in zip(a, b, strict=False))


def played(data: bytes) -> list[Shown]:
    """Every frame as a viewer shows it: when, how long, the circle's radius on the centre row, the word band."""
    im = Image.open(io.BytesIO(data))
    out, t = [], 0
    cx, cy = g.CENTRE
    for i in range(im.n_frames):
        im.seek(i)
        ms = int(im.info["duration"])
        rgb = im.convert("RGB")
        skip = 26  # past the seconds count in the middle
        row = [rgb.getpixel((x, cy)) for x in range(cx + skip, g.WIDTH)]
        radius = skip + next((k for k, px in enumerate(row) if not (close(px, g.FILL) or close(px, g.FILL_EDGE))),
                             len(row))
        band = rgb.crop((0, g.HEIGHT - 50, g.WIDTH, g.HEIGHT)).tobytes()
        out.append(Shown(t, ms, radius, band))
        t += ms
    return out


def level_at(pattern: breathing.Pattern, ms: float) -> tuple[str, float]:
    t = 0.0
    for phase, seconds, start, end in g.fullness(pattern):
        if ms < t + seconds * 1000:
            return phase, start + (end - start) * g.ease((ms - t) / (seconds * 1000))
        t += seconds * 1000
    raise AssertionError(ms)


@pytest.mark.parametrize(("pattern_id", "locale"), CASES)
def test_one_looping_cycle_with_the_patterns_seconds_exactly_and_small(pattern_id: str, locale: str) -> None:
    anim = g.animation(pattern_id, locale)
    pattern = breathing.PATTERNS[pattern_id]
    im = Image.open(io.BytesIO(anim.data))
    assert im.format == "GIF" and im.info.get("loop") == 0 and im.size == (anim.width, anim.height)
    frames = played(anim.data)
    assert sum(f.ms for f in frames) == round(pattern.cycle_seconds * 1000) == round(anim.seconds * 1000)
    assert len(anim.data) <= MAX_BYTES, len(anim.data)


@pytest.mark.parametrize(("pattern_id", "locale"), CASES)
def test_the_circle_follows_the_breath_and_the_word_changes_at_the_phase_boundaries(
    pattern_id: str, locale: str
) -> None:
    pattern = breathing.PATTERNS[pattern_id]
    frames = played(g.animation(pattern_id, locale).data)
    span = g.R_MAX - g.R_MIN
    for f in frames:  # at the end of each shown frame, the circle is where the breath is
        phase, level = level_at(pattern, f.start_ms + f.ms - 1)
        assert abs(f.radius - (g.R_MIN + span * level)) <= 4, (phase, f)
    boundaries, t = set(), 0
    words = g.words(locale)
    previous = pattern.phases[-1][0]
    for phase, seconds in pattern.phases:
        if words[phase] != words[previous]:
            boundaries.add(t)
        previous = phase
        t += round(seconds * 1000)
    changes = {b.start_ms for a, b in itertools.pairwise(frames) if a.word_band != b.word_band}
    assert changes == boundaries - {0}
    top = max(frames, key=lambda f: f.radius)
    assert top.radius >= g.R_MAX - 3 and min(f.radius for f in frames) <= g.R_MIN + 3


def test_the_words_are_the_catalogs_and_each_language_its_own_drawing() -> None:
    assert g.words("nl")["inhale"] == "Adem in" and g.words("en")["exhale"] == "Slowly out"
    assert g.words("nl")["top_up"] == "En nog een beetje"  # the catalog's "…en nog een beetje", on its own
    nl, en = g.animation("box", "nl"), g.animation("box", "en")
    assert nl.data != en.data and nl.key.startswith("box:nl:") and en.key.startswith("box:en:")
    assert g.animation("unknown-pattern", "nl") is g.animation(breathing.DEFAULT, "nl")


def test_drawn_once_and_reused() -> None:
    first = g.animation("slow", "en")
    drawn = g.renders
    assert g.animation("slow", "en") is first and g.renders == drawn


async def test_the_first_drawing_leaves_the_event_loop_free() -> None:
    anim = await g.load("478", "nl")
    assert anim is g.animation("478", "nl")
