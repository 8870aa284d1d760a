"""Seed 002's handling advice per complainant temperament (投诉客户类型及处理方法), shown to
the agent while on the call: how each type shows itself (具体表现) and how to handle it
(处理方法 / 应对方式). English source strings; the seed's own words are the Chinese
translation."""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from complaints.handling.models import Temperament
from servicedesk.types import StrOrPromise

# 具体表现
TEMPERAMENT_SIGNS: dict[str, StrOrPromise] = {
    Temperament.PASSIVE: _(
        "Speaks briefly, asks straight for whoever can decide, does not answer questions, "
        "keeps questioning."),
    Temperament.ANGRY: _(
        "Tells you of their displeasure unasked; words, tone and gestures exaggerated; vents "
        "about matters related or not; the cause of the anger is unclear."),
    Temperament.TALKATIVE: _(
        "Many topics without end; criticises the product or the service; insists on their "
        "own view; boasts."),
    Temperament.THREATENING: _(
        "Demands many things, reasonable or not; threatens and names the compensation they "
        "want; may take other action."),
}

# 处理方法 (A), 对应方法 (B), 应对方式 (C, D)
TEMPERAMENT_HANDLING: dict[str, StrOrPromise] = {
    Temperament.PASSIVE: _(
        "Respect the customer and speak politely; repeat the key points they made so they "
        "feel taken seriously; stay at your post and explain; let someone of higher rank "
        "answer where it helps."),
    Temperament.ANGRY: _(
        "Keep them apart from other customers; let them vent; acknowledge and understand "
        "their feelings; answer positively and affirmatively; change the subject when you "
        "can; let them take part in the decision; tell them it will be reported upwards."),
    Temperament.TALKATIVE: _(
        "Avoid small talk; find out their purpose with questions; lead the customer with "
        "questions and keep control; confirm the whole matter in writing; stay calm, "
        "explain patiently, propose the follow-up and get the customer's agreement."),
    Temperament.THREATENING: _(
        "Keep them apart from other customers; offer help and meet their reasonable "
        "demands; offer two or three solutions; follow and watch the case; report to your "
        "superior at once."),
}

# What the agent sees when the temperament is chosen: both parts.
TEMPERAMENT_ADVICE: dict[str, StrOrPromise] = {
    temperament: format_lazy(_("Signs: {signs} How to handle: {handling}"),
                             signs=TEMPERAMENT_SIGNS[temperament],
                             handling=TEMPERAMENT_HANDLING[temperament])
    for temperament in Temperament.values
}
