"""Alone: the message for a partner who is not on the bot, honest and on its own, ready to forward.

Nothing in it claims an agreement that does not exist. It comes as a message of its own (on Telegram with a
share button), so it can be forwarded as it is, or said aloud. Once per time-out it can be put in one's own
words; those words are not kept (they are only in the reply).
"""

from __future__ import annotations

from datetime import datetime

from .. import contract, couples
from ..effects import Msg, Reply
from ..model import MAX_TEXT, Phase
from .build import B, c, enter, prompt

SHARE = c("link.share", "choice.share")
"""On Telegram a URL button (t.me/share/url) that hands its message's text to a chat the person picks."""
REWORD = c("sn.edit", "choice.solo.edit")


def message(b: B, at: datetime) -> Msg:
    """The honest message: a break, not a no, and the time of return (or their own sentence with that time)."""
    own = b.ctx.contract.sentence_of(b.me)
    today = contract.local(at, b.ctx.me.tz).date() == contract.local(b.now, b.ctx.me.tz).date()
    if own:
        return Msg.of("notice.solo_own" if today else "notice.solo_own_later", sentence=own, time=at)
    return Msg.of("notice.solo" if today else "notice.solo_later", time=at)


def offer(b: B, at: datetime) -> None:
    """The break started without a partner on the bot: say so, then the message for them on its own."""
    b.say("start.solo", time=at)
    b.fx.append(Reply(message(b, at), (SHARE, REWORD)))


def on_choice(b: B, cid: str) -> bool:
    """The "in my own words" button: once per time-out, while it runs."""
    if cid != "sn.edit":
        return False
    t = b.my_timeout()
    if t is None or t.partner is not None:
        b.say("solo.edit_over")
        prompt(b)
    elif b.s.reworded == t.id:
        b.say("solo.edit_once")
        prompt(b)
    else:
        resume = b.s.phase if b.s.phase is not Phase.NOTICE_EDIT else b.s.resume
        enter(b, Phase.NOTICE_EDIT, resume=resume)
    return True


def p_notice_edit(b: B) -> None:
    t = b.my_timeout()
    b.say("solo.edit_ask", (c("go.cancel", "choice.not_now"),), time=t.back_at if t else b.now)


def on_notice_edit_text(b: B, text: str) -> bool:
    t = b.my_timeout()
    resume = b.s.resume or Phase.IDLE
    if t is None:
        enter(b, Phase.IDLE if resume is Phase.NOTICE_EDIT else resume, resume=None)
        return True
    words = " ".join(couples.visible(text[: MAX_TEXT * 4]).split())
    if len(words) > MAX_TEXT:
        b.say("solo.edit_long", n=MAX_TEXT)
        return True
    if couples.has_link(words):
        b.say("contract.bad.link")
        return True
    b.set(reworded=t.id, resume=None)
    b.say("solo.edit_ready")
    b.fx.append(Reply(Msg.of("notice.own_words", text=words), (SHARE,)))
    missing = couples.sentence_missing(words)
    if "return" in missing:
        b.say("solo.edit_add_time", time=t.back_at)
    enter(b, resume)
    return True


def on_notice_edit_choice(b: B, cid: str) -> bool:
    if cid != "go.cancel":
        return False
    resume = b.s.resume or Phase.IDLE
    b.say("solo.edit_kept")
    enter(b, resume, resume=None)
    return True
