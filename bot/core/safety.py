"""Danger signals: the flow's one door to the detector.

Theory of operation
-------------------
``assess(reading)`` answers one question about a message typed into a fight-helper chat: does it carry a
sign that someone is in danger? ``CLEAR`` (violence, threats, weapons, fear of the partner, coercive
control, stalking, sexual coercion, self-harm or suicide, children at risk) goes to the safety screen;
``POSSIBLE`` asks privately whether the person is safe right now. The detector is two halves: the shell
reads the text into concepts (``bot/reader.py``: lemmas, typos, Flemish and txt-speak, phrases, idioms --
all from ``bot/i18n/<locale>/danger.toml``) and puts that ``Reading`` into the ``TextReceived`` event;
``bot/core/danger.py`` judges the concepts, with no word of any language in it. Why the split: see the
header of ``bot/reader.py``.

Emergency numbers and helplines per country are in ``bot.core.countries`` (data beside the catalogs).
"""

from __future__ import annotations

from .danger import Assessment, Category, Level, Reading, assess

__all__ = ["Assessment", "Category", "Level", "Reading", "assess"]
