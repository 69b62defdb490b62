"""Every /command in one registry: its canonical name, what it does, and whether it works in SAFETY.

`ALIASES` maps every name people may type (Dutch aliases included) to the canonical one; the adapters
read the same table for their command menus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..events import CommandReceived
from ..model import Phase, TimeoutStatus
from ..parse import fold
from . import agreements, couple, privacy, steps
from .build import LOCALES, ROWS, B, c, dur, enter, in_steps, prompt
from .safety_screen import CONTINUE, emergency_lines, to_safety

Command = Callable[[B, str], None]


@dataclass(frozen=True, slots=True)
class Entry:
    run: Command
    in_safety: bool = False  # help, settings and the ways out (erase, unpair) work on the safety screen


# -- the fight flow's commands -------------------------------------------------------------------------------

def cmd_timeout(b: B, arg: str) -> None:
    t = b.my_timeout()
    if t is not None and (b.me in t.hushed  # a new break would change what the other sees
                          or (t.status is TimeoutStatus.RUNNING and couple.running_own(t, b.me, b.now))):
        mine = couple.own_break(t, b.me)
        b.say("timeout.already", time=mine[1] if mine else t.back_at)
        prompt(b)
        return
    enter(b, Phase.PAUSE_CHOOSE, resume=None, pending=None)


def cmd_breathe(b: B, arg: str) -> None:
    if b.s.phase is Phase.BREATHE:
        prompt(b)
        return
    enter(b, Phase.BREATHE, resume=b.s.phase, rounds=0)


def cmd_status(b: B, arg: str) -> None:
    t = b.my_timeout()
    if t is None:
        b.say("status.none")
        return
    if t.status is TimeoutStatus.RETURNING:
        b.say("status.returning", time=t.back_at, until=t.open_until)
        return
    left = max(timedelta(0), t.back_at - b.now)
    left_msg = dur(timedelta(minutes=-(-left.total_seconds() // 60)))
    mine = couple.own_break(t, b.me)
    name = b.ctx.partner.name if b.ctx.partner else ""
    if mine is None:
        b.say("status.partner", name=name, time=t.back_at, left=left_msg)
    elif mine[1] < t.back_at:
        b.say("status.beside", mine=mine[1], time=t.back_at, left=left_msg, name=name)
    else:
        b.say("status.running", time=t.back_at, left=left_msg)


def cmd_extend(b: B, arg: str) -> None:
    refused = couple.extend(b)
    if refused:
        k = b.ctx.contract
        b.say(refused, n=k.extensions, max=dur(k.max_break), name=b.ctx.partner.name if b.ctx.partner else "")
        prompt(b)
        return
    if b.s.phase is Phase.RETURN:
        enter(b, Phase.WAITING)
    else:
        prompt(b)


def cmd_ready(b: B, arg: str) -> None:
    t = b.my_timeout()
    if t is None:
        b.say("ready.no_timeout", (c("go.timeout", "choice.timeout"),))
        return
    mine = couple.own_break(t, b.me)
    if mine is not None and couple.running_own(t, b.me, b.now) and b.now < mine[0] + b.ctx.contract.min_break:
        b.say("ready.too_soon", time=mine[0] + b.ctx.contract.min_break, min=dur(b.ctx.contract.min_break))
        prompt(b)
        return
    couple.ready(b, steps.card(b.s.plan, b.s.role))


def cmd_cancel(b: B, arg: str) -> None:
    phase = b.s.phase
    t = b.my_timeout()
    if phase is Phase.BREATHE and b.s.resume is not None:
        enter(b, b.s.resume, resume=None)
    elif phase is Phase.PAUSE_CHOOSE:
        b.say("cancel.not_started")
        enter(b, Phase.WAITING if t is not None and t.status is TimeoutStatus.RUNNING else Phase.IDLE)
    elif in_steps(phase) and t is not None:
        b.say("cancel.to_waiting")
        enter(b, Phase.WAITING)
    elif t is not None and t.status is TimeoutStatus.RETURNING:
        b.say("cancel.returning", (c("r.talking", "choice.talking"), c("again", "choice.again"),
                                   c("r.ready", "choice.ready")), time=t.back_at)
    elif t is not None and couple.running_own(t, b.me, b.now):
        b.say("cancel.confirm", (c("w.cancel.yes", "choice.end_break_yes"), c("w.keep", "choice.keep_break")),
              time=couple.own_break(t, b.me)[1])  # type: ignore[index]
    elif t is not None:  # the one left behind: their cancel ends only their own calming flow
        b.say(couple.end_own(b), time=t.back_at, name=b.ctx.partner.name if b.ctx.partner else "")
        prompt(b)
    elif phase is Phase.AFTER:
        b.say("after.skipped")
        enter(b, Phase.IDLE, after_for=None)
    else:
        b.say("cancel.nothing")
        prompt(b)


def cmd_skip(b: B, arg: str) -> None:
    row = ROWS.get(b.s.phase)
    if row is None or row.skip_to is None:
        b.say("hint.cannot_skip")
        prompt(b)
        return
    steps.advance(b, row.skip_to)


def cmd_safety(b: B, arg: str) -> None:
    to_safety(b)


def cmd_help(b: B, arg: str) -> None:
    b.say("help.text", emergency=emergency_lines(b.ctx.me))  # the number, and for which country
    prompt(b)


def cmd_start(b: B, arg: str) -> None:
    if arg.strip():  # a deep link: /start CODE joins a couple
        agreements.cmd_join(b, arg)
        return
    b.say("welcome", emergency=emergency_lines(b.ctx.me))
    if not b.ctx.me.consented:  # onboarding asks for explicit consent before anything personal is kept
        b.say("consent.onboarding", (c("cs.yes", "choice.consent.yes"), c("cs.no", "choice.consent.no")))
        return
    prompt(b)


def cmd_language(b: B, arg: str) -> None:
    want = fold(arg)[:2]
    if want not in LOCALES:
        b.say("language.ask", (c("lang.nl", "language.nl"), c("lang.en", "language.en")))
        return
    set_language(b, want)


def set_language(b: B, locale: str) -> None:
    from ..effects import SetProfile

    b.fx.append(SetProfile(locale=locale))
    b.say("language.set", lang=_lang_msg(locale))


def _lang_msg(locale: str) -> object:
    from ..effects import Msg

    return Msg.of(f"language.{locale}")


def cmd_timezone(b: B, arg: str) -> None:
    from ..effects import SetProfile

    name = arg.strip()
    try:
        if not name or len(name) > 64 or ".." in name:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        b.say("timezone.bad", example="Europe/Amsterdam", current=b.ctx.me.tz)
        return
    b.fx.append(SetProfile(tz=name))
    b.say("timezone.set", tz=name)


REGISTRY: dict[str, Entry] = {
    "timeout": Entry(cmd_timeout),
    "breathe": Entry(cmd_breathe),
    "status": Entry(cmd_status),
    "extend": Entry(cmd_extend),
    "ready": Entry(cmd_ready),
    "cancel": Entry(cmd_cancel),
    "skip": Entry(cmd_skip),
    "safety": Entry(cmd_safety, in_safety=True),
    "help": Entry(cmd_help, in_safety=True),
    "start": Entry(cmd_start),
    "language": Entry(cmd_language, in_safety=True),
    "timezone": Entry(cmd_timezone, in_safety=True),
    "pair": Entry(agreements.cmd_pair),
    "join": Entry(agreements.cmd_join),
    "unpair": Entry(agreements.cmd_unpair, in_safety=True),
    "contract": Entry(agreements.cmd_contract),
    "accept": Entry(agreements.cmd_accept),
    "reject": Entry(agreements.cmd_reject),
    "withdraw": Entry(agreements.cmd_withdraw),
    "patterns": Entry(agreements.cmd_patterns),
    "check": Entry(privacy.cmd_check),
    "country": Entry(privacy.cmd_country, in_safety=True),
    "settings": Entry(privacy.cmd_settings, in_safety=True),
    "export": Entry(privacy.cmd_export, in_safety=True),
    "forget": Entry(privacy.cmd_forget, in_safety=True),
}

ALIASES: dict[str, str] = {
    **dict.fromkeys(("timeout", "pauze", "pause", "time_out"), "timeout"),
    **dict.fromkeys(("breathe", "adem", "ademen"), "breathe"),
    **dict.fromkeys(("status",), "status"),
    **dict.fromkeys(("extend", "verleng", "verlengen"), "extend"),
    **dict.fromkeys(("ready", "klaar", "terug"), "ready"),
    **dict.fromkeys(("cancel", "stop", "annuleer", "annuleren"), "cancel"),
    **dict.fromkeys(("skip", "overslaan"), "skip"),
    **dict.fromkeys(("safety", "veilig", "sos"), "safety"),
    **dict.fromkeys(("help", "hulp"), "help"),
    **dict.fromkeys(("start",), "start"),
    **dict.fromkeys(("language", "taal"), "language"),
    **dict.fromkeys(("timezone", "tijdzone"), "timezone"),
    **dict.fromkeys(("pair", "koppel", "koppelen", "invite", "uitnodigen"), "pair"),
    **dict.fromkeys(("join", "doemee", "meedoen"), "join"),
    **dict.fromkeys(("unpair", "ontkoppel", "ontkoppelen"), "unpair"),
    **dict.fromkeys(("contract", "afspraken", "afspraak"), "contract"),
    **dict.fromkeys(("accept", "akkoord", "accepteer"), "accept"),
    **dict.fromkeys(("reject", "afwijzen", "wijsaf"), "reject"),
    **dict.fromkeys(("withdraw", "intrekken", "trekin"), "withdraw"),
    **dict.fromkeys(("patterns", "patronen"), "patterns"),
    **dict.fromkeys(("country", "land"), "country"),
    **dict.fromkeys(("settings", "instellingen"), "settings"),
    **dict.fromkeys(("check", "toets", "checkin"), "check"),
    **dict.fromkeys(("export", "exporteer", "mijngegevens"), "export"),
    **dict.fromkeys(("forget", "vergeet", "wis"), "forget"),
}
"""Every command name people may type, to its one canonical name in REGISTRY."""

SAFE_IN_SAFETY = frozenset(name for name, e in REGISTRY.items() if e.in_safety)


def run(b: B, name: str, arg: str) -> None:
    """Run a canonical command (buttons that stand for a command come through here too)."""
    REGISTRY[name].run(b, arg)


def on_command(b: B, ev: CommandReceived) -> None:
    name = ALIASES.get(ev.name) or ALIASES.get(fold(ev.name))  # most commands come exactly as listed
    if name is None:
        b.say("hint.unknown_command", name=ev.name[:32])
        prompt(b)
        return
    entry = REGISTRY[name]
    if b.s.phase in (Phase.SAFETY, Phase.SAFETY_PLAN) and not entry.in_safety:
        b.say("safety.still", (CONTINUE,))
        return
    if b.s.phase is Phase.SAFETY_ASK and not entry.in_safety:
        b.say("hint.answer_first")
        prompt(b)
        return
    entry.run(b, ev.arg)
