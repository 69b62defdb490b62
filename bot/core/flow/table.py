"""The fight flow as data: one row a phase (its question, what it takes, where "skip" goes, its hint).

Changing a step of the flow is one row here plus its catalog lines. The README's state diagram is drawn from
`EDGES` and these rows (scripts/state_diagram.py).
"""

from __future__ import annotations

from ..model import Phase
from . import agreements, privacy, safety_screen, solo, steps
from .build import ROWS, Row

ROWS.update({
    Phase.IDLE: Row(steps.p_idle, steps.on_idle_choice, steps.on_idle_text),
    Phase.PAUSE_CHOOSE: Row(steps.p_pause_choose, steps.on_choose_choice, steps.on_choose_text, hint="hint.when"),
    Phase.PAUSE_TENSION: Row(steps.p_tension, steps.on_score_choice, steps.on_score_text, Phase.BREATHE,
                             "hint.score", step=True),
    Phase.BREATHE: Row(steps.p_breathe, steps.on_breathe_choice, steps.on_breathe_text, step=True),
    Phase.BREATHE_TENSION: Row(steps.p_breathe_tension, steps.on_score_choice, steps.on_score_text,
                               Phase.NAME_FEELING, "hint.score", step=True),
    Phase.SOOTHE: Row(steps.p_soothe, steps.on_soothe_choice, steps.on_soothe_text, Phase.NAME_FEELING, step=True),
    Phase.NAME_FEELING: Row(steps.p_feeling, steps.on_feeling_choice, steps.on_feeling_text, Phase.NAME_NEED,
                            step=True),
    Phase.NAME_UNDER: Row(steps.p_under, steps.on_under_choice, steps.on_under_text, Phase.NAME_NEED, step=True),
    Phase.NAME_NEED: Row(steps.p_need, steps.on_need_choice, steps.on_need_text, Phase.WAITING, step=True),
    Phase.PLAN_OPENER: Row(steps.p_opener, steps.on_opener_choice, steps.on_opener_text, Phase.PLAN_TOPIC,
                           step=True),
    Phase.PLAN_TOPIC: Row(steps.p_topic, None, steps.on_topic_text, Phase.PLAN_PERSPECTIVE, step=True),
    Phase.PLAN_PERSPECTIVE: Row(steps.p_perspective, steps.on_perspective_choice, steps.on_perspective_text,
                                Phase.PLAN_OWN_PART, step=True),
    Phase.PLAN_OWN_PART: Row(steps.p_own_part, steps.on_own_choice, steps.on_own_text, Phase.WAITING, step=True),
    Phase.WAITING: Row(steps.p_waiting, steps.on_waiting_choice, steps.on_waiting_text),
    Phase.RETURN: Row(steps.p_return, steps.on_return_choice, steps.on_return_text),
    Phase.AFTER: Row(steps.p_after, steps.on_after_choice),
    Phase.SAFETY_ASK: Row(safety_screen.p_safety_ask, safety_screen.on_safety_ask_choice),
    Phase.SAFETY: Row(safety_screen.p_safety, safety_screen.on_safety_choice, safety_screen.on_safety_text),
    Phase.SAFETY_PLAN: Row(safety_screen.p_safety_plan, safety_screen.on_safety_plan_choice,
                           safety_screen.on_safety_plan_text),
    Phase.CONTRACT_EDIT: Row(agreements.p_contract_edit, agreements.on_contract_edit_choice,
                             agreements.on_contract_edit_text),
    Phase.CONSENT: Row(privacy.p_consent, privacy.on_consent_choice),
    Phase.CHECK: Row(privacy.p_check, privacy.on_check_choice),
    Phase.NOTICE_EDIT: Row(solo.p_notice_edit, solo.on_notice_edit_choice, solo.on_notice_edit_text),
})

EDGES: tuple[tuple[Phase, Phase, str], ...] = (
    (Phase.IDLE, Phase.PAUSE_CHOOSE, "/timeout"),
    (Phase.PAUSE_CHOOSE, Phase.CONSENT, "first time"),
    (Phase.CONSENT, Phase.PAUSE_TENSION, "yes"),
    (Phase.CONSENT, Phase.BREATHE, "keep nothing"),
    (Phase.PAUSE_CHOOSE, Phase.PAUSE_TENSION, "return time"),
    (Phase.IDLE, Phase.BREATHE, "partner: help me wait"),
    (Phase.IDLE, Phase.WAITING, "partner types"),
    (Phase.BREATHE, Phase.BREATHE_TENSION, "go on"),
    (Phase.BREATHE_TENSION, Phase.SOOTHE, "still high"),
    (Phase.SOOTHE, Phase.BREATHE, "another round"),
    (Phase.NAME_FEELING, Phase.NAME_UNDER, "angry / frustrated"),
    (Phase.WAITING, Phase.PLAN_OPENER, "prepare reminder / prepare now"),
    (Phase.WAITING, Phase.RETURN, "return ping"),
    (Phase.RETURN, Phase.WAITING, "15 more min (owner)"),
    (Phase.RETURN, Phase.IDLE, "ready / talking / missed"),
    (Phase.WAITING, Phase.IDLE, "ready early / end own break"),
    (Phase.IDLE, Phase.AFTER, "2 h later"),
    (Phase.AFTER, Phase.IDLE, "answer"),
    (Phase.SAFETY_ASK, Phase.SAFETY, "no / skip"),
    (Phase.SAFETY, Phase.IDLE, "I'm safe, continue"),
    (Phase.SAFETY, Phase.SAFETY_PLAN, "my safety plan"),
    (Phase.SAFETY_PLAN, Phase.SAFETY, "saved / back"),
    (Phase.IDLE, Phase.SAFETY_ASK, "with a safety note: are you safe?"),
    (Phase.IDLE, Phase.CHECK, "/check"),
    (Phase.IDLE, Phase.CONTRACT_EDIT, "edit a text field"),
    (Phase.PAUSE_TENSION, Phase.NOTICE_EDIT, "alone: in my own words"),
)
"""The arrows of the diagram that are not "skip"/next arrows of the rows (those are drawn from ROWS)."""


def all_phases_prompted() -> bool:
    """Every phase has a row (checked by the tests)."""
    return set(ROWS) == set(Phase)
