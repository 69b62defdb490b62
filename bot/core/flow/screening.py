"""The calm-time question at pairing, asked of each partner alone (seed 001; programmes that screen before
teaching time-outs do the same): has your partner ever hurt you, threatened you, or made you afraid?

A yes shows help, says plainly that time-outs are for ordinary fights and not for unsafety, and leaves the
choice to the person: stay paired, end the pairing (the ordinary notice, the same from everywhere), and keep
a private safety note. Nothing of it is ever shown to the partner or kept in /patterns.
"""

from __future__ import annotations

from ..effects import Choice, SetProfile
from .build import SAFETY_BUTTON, B, c
from .safety_screen import emergency_lines, help_lines

QUESTION: tuple[Choice, ...] = (c("sq.no", "choice.screen.no"), c("sq.yes", "choice.screen.yes"),
                                c("sq.skip", "choice.screen.skip"))


def ask_partner(b: B, to: int) -> None:
    """The same question to the other partner, privately: in their own chat, from the bot."""
    b.notify(to, "screen.ask", QUESTION)


def on_screen_choice(b: B, cid: str) -> bool:
    if cid in ("sq.no", "sq.skip"):
        b.say("screen.thanks")
    elif cid == "sq.yes":
        options = [c("sq.note", "choice.screen.note"), c("sq.stay", "choice.screen.stay")]
        if b.ctx.couple is not None:
            options.append(c("safety.unpair", "choice.unpair"))
        b.say("screen.yes", (*options, SAFETY_BUTTON), emergency=emergency_lines(b.ctx.me),
              resources=help_lines(b.ctx.me.country))
    elif cid == "sq.note":
        b.fx.append(SetProfile(consent=True, safety_note=True))
        b.say("screen.note_kept")
    elif cid == "sq.stay":
        b.say("screen.stay")
    else:
        return False
    return True
