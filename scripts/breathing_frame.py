"""Save one frame of the breathing guide for the README, and report the size of every guide.

    python scripts/breathing_frame.py           # write docs/breathing-frame.png, print each GIF's size in bytes
    python scripts/breathing_frame.py --check   # exit 1 when the PNG no longer shows what the code draws (a test)

The frame is the sighing breath in Dutch, halfway into the in-breath. The GIFs themselves are drawn by the bot at
run time (bot/media/breathing_gif.py); only this picture is kept in the repository.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageChops

from bot.core import breathing
from bot.media import breathing_gif

OUT = Path(__file__).resolve().parent.parent / "docs" / "breathing-frame.png"
PATTERN, LOCALE, AT_SECONDS = "sigh", "nl", 1.0


def main(argv: list[str]) -> int:
    frame = breathing_gif.still(PATTERN, LOCALE, AT_SECONDS)
    if "--check" in argv:
        if not OUT.exists():
            print(f"{OUT} is missing: run python scripts/breathing_frame.py")
            return 1
        with Image.open(OUT) as saved:
            same = saved.size == frame.size and ImageChops.difference(saved.convert("RGB"), frame).getbbox() is None
        if not same:
            print(f"{OUT} is out of date: run python scripts/breathing_frame.py")
            return 1
        return 0
    OUT.parent.mkdir(exist_ok=True)
    frame.save(OUT, optimize=True)
    print(f"{OUT.name}: {OUT.stat().st_size} bytes")
    for pattern in breathing.PATTERNS:
        for locale in ("nl", "en"):
            anim = breathing_gif.animation(pattern, locale)
            print(f"{anim.filename}: {len(anim.data)} bytes, {anim.seconds:g} s a cycle, {anim.width}x{anim.height}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
