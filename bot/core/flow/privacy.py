"""Privacy and the private check: consent, /check, /country, /settings, /export, /forget. Nothing here reaches
the partner."""

from __future__ import annotations

from .. import countries
from ..effects import CancelNotices, Export, Forget, Msg, Reply, SetProfile
from ..model import CountryFrom, Phase, TimeoutStatus
from . import couple
from .agreements import cmd_unpair
from .build import SAFETY_BUTTON, B, c, enter, prompt
from .safety_screen import country_buttons, emergency_lines, help_lines

CHECK_QUESTIONS = 5
"""And a sixth, about fear and intimidation, for someone with a safety note."""
CHECK_CHOICES = {q: tuple(c(f"ck.{q}.{a}", f"check.a{q}.{a}") for a in range(3)) for q in range(1, 7)}


def _questions(b: B) -> int:
    return CHECK_QUESTIONS + 1 if b.ctx.me.safety_note else CHECK_QUESTIONS


def p_consent(b: B) -> None:
    b.say("consent.ask", (c("cs.yes", "choice.consent.yes"), c("cs.no", "choice.consent.no"), SAFETY_BUTTON))


def on_consent_choice(b: B, cid: str) -> bool:
    if cid not in ("cs.yes", "cs.no"):
        return False
    resume = b.s.resume or Phase.IDLE
    if cid == "cs.yes":
        b.fx.append(SetProfile(consent=True))
        b.say("consent.thanks")
        enter(b, resume, resume=None)
    else:
        b.say("consent.declined")
        # without consent: breathing (nothing kept), then straight to the wait
        nxt = Phase.BREATHE if resume in (Phase.PAUSE_TENSION, Phase.BREATHE) else resume
        enter(b, nxt, resume=None, keep=False, rounds=0)
    return True


def cmd_check(b: B, arg: str) -> None:
    resume = b.s.phase if b.s.phase is not Phase.CHECK else b.s.resume
    b.say("check.intro")
    enter(b, Phase.CHECK, answers=(), resume=resume)


def p_check(b: B) -> None:
    q = len(b.s.answers) + 1
    b.say(f"check.q{q}", (*CHECK_CHOICES[q], c("ck.stop", "choice.check.stop"), SAFETY_BUTTON), n=q,
          total=_questions(b))


def on_check_choice(b: B, cid: str) -> bool:
    resume = b.s.resume or Phase.IDLE
    if cid == "ck.stop":
        b.say("check.stopped")
        enter(b, resume, answers=(), resume=None)
        return True
    q = len(b.s.answers) + 1
    parts = cid.split(".")
    if len(parts) != 3 or parts[0] != "ck" or parts[1] != str(q) or parts[2] not in ("0", "1", "2") \
            or q > _questions(b):
        return False
    answers = (*b.s.answers, int(parts[2]))
    if len(answers) < _questions(b):
        enter(b, Phase.CHECK, answers=answers)
        return True
    # walking on eggshells, boundaries not respected; with a safety note: any fear or intimidation
    severe = answers[3] == 2 or answers[4] == 2 or (len(answers) > CHECK_QUESTIONS and answers[5] >= 1)
    total = sum(answers)
    if severe or total >= 6:
        b.say("check.result.unsafe", emergency=emergency_lines(b.ctx.me), resources=help_lines(b.ctx.me.country))
    elif total >= 3:
        b.say("check.result.mixed")
    else:
        b.say("check.result.noise")
    b.say("check.private")
    b.go(resume, answers=(), resume=None)  # the answers are gone: nothing of the check is kept
    if resume is not Phase.IDLE:
        prompt(b)
    return True


def cmd_country(b: B, arg: str) -> None:
    if not arg.strip():
        b.say("country.ask", country_buttons())
        if b.ctx.me.country_from is CountryFrom.ASSUMED:  # asked now (/country, /settings): not again later
            b.fx.append(SetProfile(country_asked=True))
        return
    code = countries.parse(arg)
    if code is None:  # "ZZ", "Atlantis", a typo: say so kindly, and offer the buttons
        b.say("country.unknown", country_buttons())
        return
    b.fx.append(SetProfile(country=code))
    b.say("country.set", country=Msg.of(countries.name_key(code)), emergency=countries.call_line(code))
    if b.s.phase in (Phase.SAFETY, Phase.SAFETY_ASK):  # the help of the new country, right away
        b.say("safety.help_there", resources=help_lines(code))


def cmd_settings(b: B, arg: str) -> None:
    """/settings (nl /instellingen): what is set for this person alone, with buttons to change it. Private:
    a reply to the person only; the partner's settings are theirs and are never shown here."""
    me = b.ctx.me
    country: Msg = Msg.of(countries.name_key(me.country))
    if me.country_from in (CountryFrom.ASSUMED, CountryFrom.ASKED):
        country = Msg.of("settings.country_assumed", country=country)
    b.say("settings.show", (c("set.lang", "choice.settings.language"), c("set.country", "choice.settings.country")),
          lang=Msg.of(f"language.{me.locale}"), country=country, tz=me.tz)


SETTINGS_BUTTONS = {"set.lang": "language", "set.country": "country"}
"""The buttons of /settings, each to the command that asks (the same question as the command alone)."""


def on_country_choice(b: B, cid: str) -> bool:
    if cid.startswith("co.") and countries.is_country(cid[3:]):
        cmd_country(b, cid[3:])
        return True
    return False


def cmd_export(b: B, arg: str) -> None:
    b.fx.append(Export())
    b.say("export.ready")


def cmd_forget(b: B, arg: str) -> None:
    b.say("forget.confirm", (c("fg.yes", "choice.forget.yes"), c("fg.no", "choice.forget.no")))


def on_forget_choice(b: B, cid: str) -> bool:
    if cid == "fg.ask":
        cmd_forget(b, "")
    elif cid == "fg.no":
        b.say("forget.kept")
        prompt(b)
    elif cid == "fg.yes":
        if b.ctx.couple is not None:
            cmd_unpair(b, "")
            b.fx[:] = [e for e in b.fx if not (isinstance(e, Reply) and e.msg.key == "unpair.done")]
        t = b.my_timeout()
        if t is not None:
            b.fx.append(CancelNotices(t.id))
            couple.close(b, TimeoutStatus.CANCELLED)
        b.say("forget.done")
        b.fx.append(Forget())  # last: nothing may be written about this person after it
    elif cid == "safety.unpair":
        cmd_unpair(b, "")
    else:
        return False
    return True
