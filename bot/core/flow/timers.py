"""A timer came due: the prepare reminder, the return ping, the one re-ping, the close, and "how did it go?"
afterwards.

Each member of a time-out has their own prepare reminder and three return timers (see couple.schedule). A timer
changes the shared record the same way whoever it belongs to (so the other sees the same thing whether or not this
person is on the safety screen), and says something only to its own person, never while they are in SAFETY.
"""

from __future__ import annotations

from datetime import timedelta

from .. import contract
from ..events import TimerFired, TimerKind
from ..model import GRACE, Phase, Role, Timeout, TimeoutStatus, evolve
from . import couple
from .build import LATE, SAFE_PHASES, B, enter
from .steps import PREPARE_CHOICES, return_choices_for

REPING_LATE = timedelta(minutes=1)
"""A re-ping held up longer than this comes right after a late return ping: it is dropped."""


def on_timer(b: B, ev: TimerFired) -> None:
    late = b.now - ev.due > LATE
    t = b.t
    if ev.kind is TimerKind.AFTER:
        if t is None or t.id != ev.timeout_id or t.status is not TimeoutStatus.RETURNED:
            return
        if b.s.phase is not Phase.IDLE or b.now - ev.due > couple.AFTER_STALE:
            if b.s.after_for == t.id:
                b.set(after_for=None)
            return  # too late, or busy with something new: let it go
        enter(b, Phase.AFTER, after_for=t.id, role=Role.INITIATOR if b.me == t.initiator else Role.PARTNER)
        return
    if t is None or t.id != ev.timeout_id or b.me not in t.members():
        return  # a timer of a time-out that has moved on: nothing to do
    quiet = b.s.phase in SAFE_PHASES
    if ev.kind is TimerKind.PREPARE:
        _prepare(b, t, late, quiet)
        return
    if ev.kind is TimerKind.MISSED:
        _close_missed(b, quiet, late=False)  # a late close follows a late ping, or the return's own late note
        return
    if (t.status.active and b.now >= t.open_until) or (
            ev.kind is TimerKind.RETURN and t.status is TimeoutStatus.MISSED):
        # held up past the whole return (the bot was down): it closes now, and whoever was never pinged
        # hears of it from their own return timer
        _close_missed(b, quiet, late=ev.kind is TimerKind.RETURN)
        couple.disarm(b, t, (b.me,), TimerKind.MISSED)  # this person has just been told
        return
    if not t.is_open(b.now) or ev.due < t.back_at:
        return  # closed, or a timer the return has since moved past
    if ev.kind is TimerKind.RETURN:
        if t.status is TimeoutStatus.RUNNING:
            t = b.t = evolve(t, status=TimeoutStatus.RETURNING)
        # the re-ping and the close are armed with the return; arming them again is an upsert (and heals
        # time-outs written before they were)
        if b.now < t.back_at + GRACE:
            couple.arm(b, t, (b.me,), TimerKind.REPING, t.back_at + GRACE)
        couple.arm(b, t, (b.me,), TimerKind.MISSED, t.open_until)
        if quiet or b.s.phase is Phase.RETURN:
            return
        if b.me in t.ready:  # they said they were ready: the return is their anchor too
            b.say("return.ping_waiting", time=t.back_at, name=_name(b))
            return
        role = Role.INITIATOR if b.me == t.initiator else Role.PARTNER
        b.set(timeout_id=t.id, role=role, resume=None, pending=None)
        if late:
            b.say("return.late", time=t.back_at)
        enter(b, Phase.RETURN)
    elif ev.kind is TimerKind.REPING:
        if quiet or b.s.phase is not Phase.RETURN or b.me in t.ready:
            return
        if b.now - ev.due > REPING_LATE:  # held up (the bot was down): the late return ping just went out
            return
        b.say("return.reping", return_choices_for(b), time=t.back_at)


def _prepare(b: B, t: Timeout, late: bool, quiet: bool) -> None:
    """Before the return: offer to get ready for the talk (the plan). Only to someone waiting in this time-out
    who has not prepared yet; never after a safety signal, in the quiet hours, or when held up."""
    if quiet or late or b.me in t.hushed or t.status is not TimeoutStatus.RUNNING or b.now >= t.back_at:
        return
    s = b.s
    if s.phase is not Phase.WAITING or s.timeout_id != t.id or not s.keep or s.plan.prepared:
        return  # still in the calming steps (the waiting menu offers it), or nothing to keep
    if contract.in_quiet_hours(b.ctx.contract, b.now, b.ctx.me.tz):
        return
    b.say("prepare.ask", PREPARE_CHOICES, time=t.back_at, name=_name(b))


def _close_missed(b: B, quiet: bool, late: bool) -> None:
    """The close: whoever did not come back missed it. Each member hears it from their own timer."""
    t = b.t
    assert t is not None
    if t.status.active:
        couple.record(b, "missed" if b.me not in t.ready else None)
        couple.close(b, TimeoutStatus.MISSED, keep_missed=True, late=late)
    elif t.status is not TimeoutStatus.MISSED:
        return  # it ended another way; that answer was given then
    in_it = b.s.timeout_id == t.id or b.s.phase is Phase.RETURN
    if quiet:
        return
    if b.me in t.hushed:
        if in_it:
            couple.leave(b)
        return
    if late:  # the return itself came past its window (the bot was down): this person was never pinged
        b.say("return.late", time=t.back_at)
    if b.ctx.me.safety_note:  # no "reach out" nudge for someone with a safety note
        b.say("return.missed_note")
    else:
        b.say("return.partner_missed" if b.me in t.ready else "return.missed", name=_name(b))
    if in_it or b.s.phase is Phase.RETURN:
        couple.leave(b)


def _name(b: B) -> str:
    return b.ctx.partner.name if b.ctx.partner is not None else ""
