"""The /patterns chart: the core's figures (weeks, shared counts, own tension) and the PNG the shell draws."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.core import patterns
from bot.core.chart import Chart
from bot.core.model import Fact
from bot.i18n import LOCALES, Renderer
from bot.media import patterns_chart

NOW = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)


def fact(days: float, status: str = "returned", **kw: object) -> Fact:
    return Fact(NOW - timedelta(days=days), bool(kw.pop("mine", True)), status, bool(kw.pop("extended", False)),
                **kw)  # type: ignore[arg-type]


def colours(image: Image.Image) -> set[object]:
    return {c for _, c in image.getcolors(maxcolors=1 << 22) or ()}


def png(chart: Chart, locale: str = "nl") -> Image.Image:
    data = patterns_chart.render(chart, Renderer(locale, "Europe/Amsterdam", NOW))
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- the figures -----------------------------------------------------------------------------------------


def test_weeks_count_back_from_now_oldest_first():
    facts = (fact(0.1), fact(6.9), fact(7.1), fact(50), fact(90.5), fact(91.5), fact(-0.5))  # -0.5: a clock ahead
    c = patterns.chart(facts, NOW, paired=False)
    assert c is not None and len(c.weeks) == patterns.CHART_WEEKS == 13
    assert c.weeks[-1] == 3 and c.weeks[-2] == 1 and c.weeks[12 - 7] == 1  # 50 days ago: the 8th week back
    assert c.weeks[0] == 1 and c.total == 6  # 90.5 days is in the first week; 91.5 is outside
    assert c.first_day == date(2026, 8, 21)


def test_the_chart_holds_the_shared_counts_and_the_own_tension():
    facts = (fact(1, tension_start=8, tension_after=4), fact(2, "missed", mine=False, extended=True,
                                                            extended_by_partner=True),
             fact(3, extended=True, extended_by_me=True, tension_start=7, tension_after=5), fact(4, "cancelled"))
    c = patterns.chart(facts, NOW, paired=True)
    assert c == Chart(weeks=(0,) * 12 + (4,), first_day=date(2026, 8, 21), on_time=1, extended=1, missed=1,
                      started_by_me=3, started_by_partner=1, extended_by_me=1, extended_by_partner=1,
                      tension_before=75, tension_after=45, paired=True)


def test_nothing_to_draw_without_time_outs_in_the_window():
    assert patterns.chart((), NOW, paired=True) is None
    assert patterns.chart((fact(120),), NOW, paired=True) is None


# --- the picture -----------------------------------------------------------------------------------------

ZERO = Chart(weeks=(0,) * 13, first_day=date(2026, 8, 21))


def two_hundred() -> Chart:
    facts = tuple(fact(i * 0.45, ("returned", "missed", "cancelled")[i % 3], mine=i % 2 == 0, extended=i % 5 == 0,
                       extended_by_me=i % 10 == 0, extended_by_partner=i % 10 == 5, tension_start=9,
                       tension_after=i % 11)
                  for i in range(200))
    c = patterns.chart(facts, NOW, paired=True)
    assert c is not None and c.total == 200 and max(c.weeks) >= 15
    return c


@pytest.mark.parametrize("locale", LOCALES)
def test_a_chart_for_zero_time_outs_renders(locale: str):
    image = png(ZERO, locale)
    assert image.size[0] == patterns_chart.WIDTH and 900 < image.size[1] < patterns_chart.TALL
    assert image.mode == "RGB"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_chart_for_200_time_outs_renders(locale: str):
    image = png(two_hundred(), locale)
    assert image.size[0] == patterns_chart.WIDTH and image.size[1] < patterns_chart.TALL
    bottom = image.crop((0, image.size[1] - 40, image.size[0], image.size[1]))
    assert colours(bottom) == {patterns_chart.BACKGROUND}  # nothing cut off at the end


def test_the_words_come_from_the_readers_language():
    c = two_hundred()
    assert patterns_chart.render(c, Renderer("nl", "UTC", NOW)) != patterns_chart.render(c, Renderer("en", "UTC", NOW))
    assert png(c, "nl").size == png(c, "en").size  # same layout in both


def test_a_couple_sees_who_started_and_one_person_alone_does_not():
    paired = png(Chart(weeks=(1,) * 13, first_day=date(2026, 8, 21), on_time=13, started_by_me=7,
                       started_by_partner=6, paired=True))
    alone = png(Chart(weeks=(1,) * 13, first_day=date(2026, 8, 21), on_time=13, started_by_me=13))
    assert paired.size[1] > alone.size[1]  # the "who" section is there only for a couple
    assert patterns_chart.PARTNER in colours(paired) and patterns_chart.PARTNER not in colours(alone)


def test_the_same_figures_draw_the_same_picture():
    c = two_hundred()
    r = Renderer("en", "UTC", NOW)
    assert patterns_chart.render(c, r) == patterns_chart.render(c, r)


COUNT = st.integers(0, 10**6)


@settings(max_examples=15, deadline=None)
@given(st.lists(COUNT, min_size=13, max_size=13), COUNT, COUNT, COUNT, COUNT, COUNT, COUNT, COUNT,
       st.one_of(st.none(), st.tuples(st.integers(0, 100), st.integers(0, 100))), st.booleans(),
       st.sampled_from(LOCALES))
def test_any_figures_draw_within_the_page(weeks, on_time, extended, missed, me, them, ext_me, ext_them, tension,
                                          paired, locale):
    c = Chart(tuple(weeks), date(2026, 8, 21), on_time, extended, missed, me, them, ext_me, ext_them,
              *(tension or (None, None)), paired=paired)
    image = png(c, locale)
    assert image.size[0] == patterns_chart.WIDTH and image.size[1] < patterns_chart.TALL
