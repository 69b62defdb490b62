"""The couple rules: two people in one time-out. Every rule about who may change what lives here.

Theory of operation
-------------------
A couple's time-out is one shared `Timeout` that both partners' steps read and change; each step sees only
the acting person's own session. Four rules hold it together:

1. **Ownership.** A break belongs to the one who took it. Only the initiator ends, extends or moves
   `return_at`; only the partner moves `partner_until`, their own break beside it. The partner's "ready"
   is kept (`ready`) and shown at the return; it never moves anyone's return. The partner's cancel ends
   only their own calming flow.
2. **Side by side.** A partner who takes a time-out while the other's runs gets a break of their own in the
   same time-out; the couple comes back together at `back_at`, the later end. Starts within MERGE_WINDOW of
   each other are told as one merged break (still keeping the later return).
3. **A return always ends.** Whenever `back_at` is set or moves, both members get three timers: the return
   ping at `back_at`, one re-ping a GRACE later, and the close a GRACE after that. The close timer is never
   cancelled by the other's answer, so each member is told how it ended by their own timer. Nothing counts a
   time-out as open past `open_until` (`Timeout.is_open`), so a lost timer can never keep one open.
4. **No tells.** A safety signal adds the person to `hushed`: from then on nothing they do changes the shared
   record, the other's timers, or what the other is sent (their own answers act privately), and their
   notices about this time-out are dropped (`screen`). Timers of both members keep running as they would if
   the person had simply stopped answering, so the other sees exactly that.

When a time-out closes, however it closes, the other member's private words for it go too (`Release`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .. import contract, couples
from ..effects import CancelNotices, CancelTimer, Choice, Effect, Msg, Notify, RecordOutcome, Release, Reply, StartTimer
from ..events import TimerKind
from ..model import GRACE, Phase, Role, Timeout, TimeoutStatus, evolve
from .build import NO_PLAN, B, c

MERGE_WINDOW = timedelta(minutes=2)
"""Two starts this close together are one merged break (keeping the later return)."""
AFTER_DELAY = timedelta(hours=2)
"""When to ask "how did the conversation go?" after coming back."""
AFTER_STALE = timedelta(hours=12)
PREPARE_LEAD = timedelta(minutes=10)
"""The prepare reminder comes this long before the return; for a break shorter than twice this, at half-time."""
RETURN_KINDS = (TimerKind.PREPARE, TimerKind.RETURN, TimerKind.REPING, TimerKind.MISSED)
NUDGES = (TimerKind.PREPARE, TimerKind.RETURN, TimerKind.REPING)


# -- reading the record ------------------------------------------------------------------------------------

def own_break(t: Timeout, me: int) -> tuple[datetime, datetime, int] | None:
    """(started, ends, extensions used) of the break `me` took in this time-out, or None."""
    if me == t.initiator:
        return t.started_at, t.return_at, t.extensions_used
    if me == t.partner and t.partner_started is not None and t.partner_until is not None:
        return t.partner_started, t.partner_until, t.partner_extensions
    return None


def running_own(t: Timeout, me: int, now: datetime) -> bool:
    """Is a break of `me`'s own still running in this time-out?"""
    mine = own_break(t, me)
    return mine is not None and t.status is TimeoutStatus.RUNNING and now < mine[1]


def can_extend(b: B, t: Timeout) -> bool:
    mine = own_break(t, b.me)
    if mine is None or b.me in t.hushed:
        return False
    started, ends, used = mine
    return contract.can_extend(b.ctx.contract, used, started, max(ends, b.now))


def _with_own(t: Timeout, me: int, ends: datetime, used: int | None = None) -> Timeout:
    if me == t.initiator:
        return evolve(t, return_at=ends, extensions_used=t.extensions_used if used is None else used)
    return evolve(t, partner_until=ends, partner_extensions=t.partner_extensions if used is None else used)


# -- timers ------------------------------------------------------------------------------------------------

def arm(b: B, t: Timeout, who: tuple[int | None, ...], kind: TimerKind, at: datetime) -> None:
    for u in who:
        if u is not None:
            b.fx.append(StartTimer(u, kind, t.id, at))


def disarm(b: B, t: Timeout, who: tuple[int | None, ...], *kinds: TimerKind) -> None:
    for u in who:
        if u is not None:
            b.fx.extend(CancelTimer(u, k, t.id) for k in kinds)


def prepare_at(t: Timeout) -> datetime:
    """When the prepare reminder comes: PREPARE_LEAD before the return, or half-way through a short break."""
    span = t.back_at - t.started_at
    return t.back_at - PREPARE_LEAD if span >= 2 * PREPARE_LEAD else t.started_at + span / 2


def schedule(b: B, t: Timeout) -> None:
    """(Re)arm the return of both members at `back_at`: the prepare reminder before it, the ping, one re-ping,
    the close. Upserts by id; a prepare reminder whose moment has passed is taken back."""
    at = t.back_at
    prepare = prepare_at(t)
    for u in t.members():
        if prepare > b.now and u not in t.hushed:
            b.fx.append(StartTimer(u, TimerKind.PREPARE, t.id, prepare))
        else:
            b.fx.append(CancelTimer(u, TimerKind.PREPARE, t.id))
        b.fx.append(StartTimer(u, TimerKind.RETURN, t.id, at))
        b.fx.append(StartTimer(u, TimerKind.REPING, t.id, at + GRACE))
        b.fx.append(StartTimer(u, TimerKind.MISSED, t.id, at + 2 * GRACE))


# -- starting ---------------------------------------------------------------------------------------------

def start(b: B, at: datetime) -> str:
    """The return time is chosen: a new time-out, or a break of one's own beside the partner's.

    Returns how it started: "new", "beside" or "merged" (the caller goes on into the calming steps).
    """
    ctx = b.ctx
    current = b.my_timeout()
    if current is not None and current.partner == b.me and current.partner_until is None \
            and current.status is TimeoutStatus.RUNNING and b.me not in current.hushed:
        t = evolve(current, partner_started=b.now, partner_until=at)
        b.t = t
        keep_plan = b.s.timeout_id == t.id
        b.set(timeout_id=t.id, role=Role.PARTNER, plan=b.s.plan if keep_plan else NO_PLAN, pending=None,
              keep=True)
        schedule(b, t)
        if b.now - t.started_at <= MERGE_WINDOW:
            b.tell_partner("notice.merged", time=t.back_at)
            b.say("start.merged", time=t.back_at)
            return "merged"
        b.tell_partner("notice.beside", time=at, back=t.back_at)
        b.say("start.beside", time=at, back=t.back_at)
        return "beside"
    if current is not None:  # the return of the last one is under way: it closes, a new one starts
        close(b, TimeoutStatus.RETURNED if set(current.members()) <= current.ready else TimeoutStatus.CANCELLED)
    tid = f"{ctx.fresh:x}" if ctx.fresh else f"{ctx.me.id}-{int(b.now.timestamp() * 1000)}"  # no user id in it
    partner = ctx.partner.id if ctx.partner else None
    t = Timeout(tid, ctx.me.id, partner, b.now, at)
    b.set(timeout_id=tid, role=Role.INITIATOR, plan=NO_PLAN, after_for=None, pending=None, keep=True)
    sentence = ctx.contract.sentence_of(b.me)
    if partner is not None and ctx.contract.notify_partner:
        t = evolve(t, notified=True)
        b.t = t
        b.tell_partner("notice.start", (_partner_start(),), time=at,
                       sentence=sentence or Msg.of("notice.no_sentence"))
        b.say("start.told", time=at)
    else:
        b.t = t
        if partner is None:
            from .solo import offer

            offer(b, at)
        else:
            b.say("start.not_told", time=at, text=Msg.of("notice.not_told", time=at))
    schedule(b, t)
    return "new"


def _partner_start() -> Choice:
    return c("p.start", "choice.partner.start")


# -- ending, extending, coming back ------------------------------------------------------------------------

def close(b: B, status: TimeoutStatus, *, keep_missed: bool = False, late: bool = False) -> None:
    """Close the time-out for both: timers stop, the other's private words for it go."""
    t = b.t
    assert t is not None
    b.t = evolve(t, status=status, ended_at=b.now)
    b.set(plan=NO_PLAN, pending=None)  # this person's private words for it go too, wherever they are
    others = tuple(u for u in t.members() if u != b.me)
    late = late and t.status is TimeoutStatus.RUNNING  # no return timer fired yet: nobody was pinged
    disarm(b, t, t.members(), TimerKind.PREPARE)
    if keep_missed and late:  # closed past its window (the bot was down): the others were never pinged either;
        disarm(b, t, t.members(), TimerKind.REPING, TimerKind.MISSED)  # their own return timer tells them so
        arm(b, t, others, TimerKind.RETURN, b.now)
    elif keep_missed:  # closed as missed: each member hears it from their own close timer, now
        disarm(b, t, t.members(), TimerKind.RETURN, TimerKind.REPING)
        arm(b, t, others, TimerKind.MISSED, b.now)
    else:
        disarm(b, t, t.members(), *RETURN_KINDS[1:])
    other = b.other()
    if other is not None:
        b.fx.append(Release(other, t.id))
    if status is TimeoutStatus.RETURNED:
        after = contract.after_quiet(b.ctx.contract, b.now + AFTER_DELAY, b.ctx.me.tz)
        arm(b, t, t.members(), TimerKind.AFTER, after)


def record(b: B, outcome: str | None) -> None:
    if b.t is None:
        return
    p = b.s.plan if b.s.keep else NO_PLAN
    b.fx.append(RecordOutcome(b.t.id, b.me, b.s.role.value, outcome, p.tension_start, p.tension_after,
                              p.feeling, p.under, p.need))


def leave(b: B, **changes: object) -> None:
    """This person is done with the time-out's steps: their private words for it go."""
    b.go(Phase.IDLE, plan=NO_PLAN, pending=None, resume=None, **changes)


def extend(b: B) -> str:
    """The owner asks for more time. Returns a reply key when refused, "" when extended."""
    t = b.my_timeout()
    if t is None:
        return "extend.no_timeout"
    if b.me in t.hushed:
        return "extend.hushed"
    mine = own_break(t, b.me)
    if mine is None:
        return "extend.not_yours"
    if not can_extend(b, t):
        return "extend.none_left"
    _, ends, used = mine
    at = max(ends, b.now) + b.ctx.contract.extension
    t = evolve(_with_own(t, b.me, at, used + 1), status=TimeoutStatus.RUNNING)
    b.t = t
    schedule(b, t)
    b.tell_partner("notice.extended", time=t.back_at)
    b.say("extend.ok", time=at)
    return ""


def ready(b: B, card: tuple[Msg, ...]) -> None:
    """This person is ready to talk: early (the owner after the minimum, or the partner's kept "ready"),
    at the return, or after it. Never moves anyone else's return."""
    t = b.my_timeout()
    assert t is not None
    if b.me in t.hushed:  # privately: the other sees what they would see if this person stayed silent
        b.say("return.card", card=card)
        b.say("return.private", name=_name(b))
        disarm(b, t, (b.me,), *NUDGES)  # the close stays: it ends the record
        record(b, None)
        leave(b)
        return
    t = evolve(t, ready=t.ready | {b.me})
    if running_own(t, b.me, b.now):  # the owner ends their own break early
        t = _with_own(t, b.me, b.now)
        b.t = t
        if t.back_at <= b.now:
            t = evolve(t, status=TimeoutStatus.RETURNING)
            b.t = t
            b.tell_partner("notice.ready_early")
        schedule(b, t)
    b.t = t
    record(b, None)
    if t.partner is None:  # alone: coming back is the end of it
        close(b, TimeoutStatus.RETURNED)
        b.say("return.card", card=card)
        b.say("return.alone")
        leave(b, after_for=t.id)
        return
    if set(t.members()) <= t.ready:
        close(b, TimeoutStatus.RETURNED)
        b.tell_partner("notice.both_ready", (again_choice(),))
        b.say("return.card", card=card)
        b.say("return.together", (again_choice(),), opener=_opener_role(b))
        leave(b, after_for=t.id)
        return
    b.say("return.card", card=card)
    if t.back_at > b.now:  # the other's break still runs: this "ready" is kept for their return
        b.say("ready.kept", name=_name(b), time=t.back_at)
    else:
        b.say("return.wait_partner", name=_name(b))
        disarm(b, t, (b.me,), TimerKind.REPING)
    leave(b, timeout_id=t.id)


def _opener_role(b: B) -> Msg:
    t = b.t
    assert t is not None
    return Msg.of("return.you_open" if t.initiator == b.me else "return.they_open", name=_name(b))


def again_choice() -> Choice:
    return c("again", "choice.again")


def talking(b: B) -> bool:
    """"We're already talking": closes the time-out for both. Only once the return has come."""
    t = b.my_timeout()
    if t is None or t.status is not TimeoutStatus.RETURNING:
        return False
    if b.me in t.hushed:
        disarm(b, t, (b.me,), *NUDGES)  # the close stays: it ends the record
        b.say("return.talking")
        leave(b)
        return True
    record(b, None)
    close(b, TimeoutStatus.RETURNED)
    b.tell_partner("notice.talking")
    b.say("return.talking")
    leave(b, after_for=t.id)
    return True


def end_own(b: B) -> str:
    """End one's own break early (cancel). Returns the reply key for what happened."""
    t = b.my_timeout()
    if t is None:
        return "cancel.nothing"
    if b.me in t.hushed:
        disarm(b, t, (b.me,), *NUDGES)  # the close stays: it ends the record
        leave(b)
        return "cancel.private"
    other_runs = t.partner_until is not None and t.partner_until > b.now if b.me == t.initiator \
        else t.return_at > b.now
    if own_break(t, b.me) is None:  # the partner's cancel ends only their own calming flow
        leave(b, timeout_id=t.id)
        return "cancel.partner_flow"
    if other_runs:  # the other's break goes on as it was; only this person's own break ends
        t = _with_own(t, b.me, b.now) if b.me == t.initiator else evolve(t, partner_until=None,
                                                                         partner_started=None)
        b.t = t
        schedule(b, t)
        b.tell_partner("notice.own_ended", time=t.back_at)
        leave(b, timeout_id=t.id)
        return "cancel.own_done"
    record(b, "cancelled")
    close(b, TimeoutStatus.CANCELLED)
    b.tell_partner("notice.cancelled")
    leave(b)
    return "cancel.done"


def hush(b: B) -> None:
    """A safety signal: the person is out of what the other sees, for the rest of this time-out.

    An undelivered notice about it is taken back; nothing else about the time-out changes for the other.
    """
    t = b.my_timeout()
    if t is None:
        return
    b.fx.append(CancelNotices(t.id))
    disarm(b, t, (b.me,), TimerKind.PREPARE)  # no "get ready for the talk" after a safety signal
    if t.partner is None or b.me in t.hushed:
        return
    if b.ctx.unannounced and b.me == t.initiator:
        # The partner never heard of this time-out (its notice is taken back before delivery): they are out
        # of it, so no return ping about a break they never knew of reaches them either.
        disarm(b, t, (t.partner,), *RETURN_KINDS)
        b.t = evolve(t, partner=None, partner_started=None, partner_until=None, ready=t.ready & {b.me})
        return
    b.t = evolve(t, hushed=t.hushed | {b.me})


def _name(b: B) -> str:
    return b.ctx.partner.name if b.ctx.partner is not None else ""


# -- what leaves the step ------------------------------------------------------------------------------------

def screen(b: B, effects: tuple[Effect, ...], hold: bool) -> tuple[Effect, ...]:
    """No tells, and no flooding: drop what must not reach the other, then rate-limit the rest.

    While in SAFETY nothing but the neutral pairing notice (the same on every path) leaves; a hushed person's
    notices about the time-out never do.
    """
    t = b.t
    hushed = t is not None and b.me in t.hushed
    if hold or hushed:
        effects = tuple(e for e in effects if not isinstance(e, Notify) or e.neutral
                        or (not hold and t is not None and e.tag != t.id))
    if any(isinstance(e, Notify) and not e.neutral for e in effects):
        effects = _limit_notices(b, effects)
    return effects


def _limit_notices(b: B, effects: tuple[Effect, ...]) -> tuple[Effect, ...]:
    """At most NOTICE_LIMIT notices to the partner per NOTICE_WINDOW: the bot is no way to flood someone."""
    now = int(b.now.timestamp())
    recent = [x for x in b.s.notices if now - x < couples.NOTICE_WINDOW.total_seconds()]
    kept: list[Effect] = []
    dropped = False
    for e in effects:
        if isinstance(e, Notify) and not e.neutral:
            if len(recent) >= couples.NOTICE_LIMIT:
                dropped = True
                continue
            recent.append(now)
        kept.append(e)
    b.set(notices=tuple(recent))
    if dropped:
        kept.append(Reply(Msg.of("notices.limited")))
    return tuple(kept)
