"""Compile synthesis verdicts plus question templates into an item bank (``diff`` compares two banks).

Weights come only from the evidence: either the evidence level (``weight_rule = "level"``) or
the size of the pooled log effect (``"pooled_log"``); the rule and its inputs are written next
to every weight (``weight_basis``) so a reader can recompute it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from ..errors import ValidationError
from ..records import LEVEL_RANKS, FactorEvidence
from ..words import effect_interval
from .config import GRADE_RANKS, InstrumentConfig
from .evidence import DOMAINS, RATIO_MEASURES, EvidenceSnapshot
from .itembank import (
    UNKNOWN_CODE, UNKNOWN_EN, UNKNOWN_NL, UNPOOLED, AnswerOption, ExpertTopic, Item, ItemBank, NotIncluded, Question,
    Source, Templates,
)
from .render import T, number


def classify(ev: FactorEvidence, templates: Templates, config: InstrumentConfig,
             agreeing: Mapping[str, Sequence[str]] | None = None) -> tuple[str, list[str]]:
    """``("scored" | "signal" | "out", reasons)`` for one factor.

    A factor is scored when it meets every rule. It becomes a signal (asked, weight 0) when the
    only shortfall is its strength of evidence and it still reaches ``signal_min_level``.
    ``agreeing``: as ``build_item_bank`` takes it.
    """
    strength: list[str] = []
    other: list[str] = []
    if ev.direction not in ("risk", "protective"):
        other.append(f"direction '{ev.direction}': no consistent direction to score")
    if config.level_rank(ev.level) < config.level_rank(config.min_level):
        strength.append(f"evidence level '{ev.level or 'none'}' below minimum '{config.min_level}'")
    if config.min_grade and GRADE_RANKS.get(ev.grade, -1) < GRADE_RANKS[config.min_grade]:
        strength.append(f"GRADE certainty '{ev.grade or 'not judged'}' below minimum '{config.min_grade}'")
    if config.require_assessable and not ev.assessable:
        other.append("not assessable in a conversation (assessable = false)")
    if templates.for_factor(ev.factor_id) is None:
        other.append("no question template in instrument/questions.toml")
    if not strength and not other:
        return "scored", []
    if other and other[0].startswith("direction"):
        return "out", other[:1] + strength + other[1:]
    signal_ok = (not other and bool(config.signal_min_level)
                 and config.level_rank(ev.level) >= max(1, config.level_rank(config.signal_min_level)))
    if signal_ok and signal_caution(ev, config, agreeing) == "hide":
        return "out", strength + [display_reason(ev, config, agreeing)]
    return ("signal" if signal_ok else "out"), strength + other


def replicating_studies(ev: FactorEvidence, agreeing: Mapping[str, Sequence[str]] | None = None) -> int:
    """How many independent studies agree on the factor's direction: its units in ``agreeing`` (the synthesis
    re-run on the study files, where papers of one cohort are one study and a study without a direction none),
    else, for a row the re-run did not check, the studies the row names."""
    units = (agreeing or {}).get(ev.factor_id)
    return len(units) if units is not None else len(ev.studies)


def _counter_intuitive(ev: FactorEvidence, config: InstrumentConfig,
                       agreeing: Mapping[str, Sequence[str]] | None = None) -> bool:
    expected = config.expected_direction.get(ev.factor_id)
    return bool(expected) and expected != ev.direction and replicating_studies(ev, agreeing) < 2


def signal_caution(ev: FactorEvidence, config: InstrumentConfig,
                   agreeing: Mapping[str, Sequence[str]] | None = None) -> str:
    """Display rule for a signal: "" (show), "unreplicated"/"counter_intuitive" (caution) or "hide"."""
    if _counter_intuitive(ev, config, agreeing):
        return "hide" if config.counter_intuitive_single_study == "hide" else "counter_intuitive"
    replicated = replicating_studies(ev, agreeing) >= config.signal_min_studies
    certain = bool(config.signal_min_grade) and GRADE_RANKS.get(ev.grade, -1) >= GRADE_RANKS[config.signal_min_grade]
    if replicated or certain:
        return ""
    return "hide" if config.unreplicated_signal == "hide" else "unreplicated"


def display_reason(ev: FactorEvidence, config: InstrumentConfig,
                   agreeing: Mapping[str, Sequence[str]] | None = None) -> str:
    if _counter_intuitive(ev, config, agreeing):
        return (f"display rule: single-study finding '{ev.direction}' against the expected direction "
                f"'{config.expected_direction[ev.factor_id]}' (counter_intuitive_single_study = hide)")
    return (f"display rule: fewer than {config.signal_min_studies} independent studies agreeing on the direction "
            f"and GRADE "
            f"'{ev.grade or 'not judged'}' below '{config.signal_min_grade}' (unreplicated_signal = hide)")


def exclusion_reasons(ev: FactorEvidence, templates: Templates, config: InstrumentConfig,
                      agreeing: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Why ``ev`` earns no scored item (empty list: it is scored)."""
    return classify(ev, templates, config, agreeing)[1]


def build_item_bank(
    evidence: Sequence[FactorEvidence],
    templates: Templates,
    config: InstrumentConfig,
    snapshot: EvidenceSnapshot,
    *,
    built_at: datetime | None = None,
    effects: Mapping[str, list[dict[str, Any]]] | None = None,
    expert: Mapping[str, list[dict[str, Any]]] | None = None,
    sources: Mapping[str, Source] | None = None,
    pooled_studies: Mapping[str, Sequence[str]] | None = None,
    agreeing: Mapping[str, Sequence[str]] | None = None,
) -> ItemBank:
    """The item bank for ``evidence``; deterministic for the same inputs and ``built_at``.

    ``pooled_studies``: per factor, the studies its pooled estimate rests on (``project.pooled_study_units``):
    their number is its k, and they are named in the weight basis so a weight traces to its studies; a factor
    missing from it is shown without k. ``agreeing``: per factor, the independent studies agreeing on its
    direction (``project.agreeing_study_units``), which decide whether a signal is replicated; a factor missing
    from it counts the studies its row names.
    """
    included: list[FactorEvidence] = []
    signals: list[tuple[FactorEvidence, str]] = []
    not_included: list[NotIncluded] = []
    missing_templates: list[str] = []
    for ev in evidence:
        kind, reasons = classify(ev, templates, config, agreeing)
        if templates.for_factor(ev.factor_id) is None:
            missing_templates.append(ev.factor_id)
        if kind == "scored":
            included.append(ev)
        elif kind == "signal":
            signals.append((ev, "; ".join(reasons)))
        else:
            template = templates.for_factor(ev.factor_id)
            not_included.append(NotIncluded(ev.factor_id, (template.label_nl if template else "") or ev.label_nl,
                                            (template.label_en if template else "") or ev.label_en,
                                            ev.domain, ev.level,
                                            ev.direction, "; ".join(reasons), ev.modifiable,
                                            list(ev.studies)))
    weights = assign_weights(included, config, pooled_studies)
    items = []
    for ev in included:
        item = _item(ev, templates, weights[ev.factor_id], pooled_studies)
        if ev.factor_id in weights.unweighted:
            # decision 0056: no pooled ratio of its own, so no weight on the pooled scale; asked, not weighed
            item.scored = False
            item.caution = UNPOOLED
        items.append(item)
    for ev, reason in signals:
        item = _item(ev, templates, (0.0, f"signal, not weighed: {reason} (signal_min_level = "
                                          f"{config.signal_min_level})"), pooled_studies)
        item.scored = False
        item.caution = signal_caution(ev, config, agreeing)
        items.append(item)
    items, dropped = _one_answer_one_factor(items, config)
    not_included += dropped
    for item in items:
        # Only estimates of the studies the synthesis counted, so every number traces to its verdict.
        ids = set(item.studies)
        item.effects = [dict(e) for e in (effects or {}).get(item.factor_id, []) if e.get("study") in ids]
        item.expert = [dict(e) for e in (expert or {}).get(item.factor_id, [])]
    items.sort(key=lambda i: (not i.scored, DOMAINS.index(i.domain), -config.level_rank(i.level),
                              -i.weight, i.factor_id))
    used = {templates.for_factor(ev.factor_id).factor_id for ev in evidence  # type: ignore[union-attr]
            if templates.for_factor(ev.factor_id) is not None}
    unused = sorted(set(templates.factors) - used)
    asked = {i.factor_id for i in items}
    expert_topics = [_expert_topic(ev, templates, (expert or {})[ev.factor_id]) for ev in evidence
                     if ev.factor_id not in asked and any(e.get("consensus") for e in (expert or {}).get(ev.factor_id, []))]
    cited = [s for i in items for s in i.studies + [str(e.get("study")) for e in i.expert]]
    cited += [str(e.get("study")) for topic in expert_topics for e in topic.expert]
    known = sources or {}
    bank_sources = sorted((known[s] for s in dict.fromkeys(cited) if s in known),
                          key=lambda src: (src.label.lower(), src.study))
    moment = (built_at or datetime.now(timezone.utc)).replace(microsecond=0)
    bank = ItemBank(
        title_nl=config.title_nl, title_en=config.title_en, built_at=moment.isoformat(),
        evidence=snapshot, config=config.summary(), items=items,
        questions=_questions(items, templates, config), not_included=not_included,
        missing_templates=missing_templates, unused_templates=unused,
        canonical_url=config.canonical_url, expert_topics=expert_topics, sources=bank_sources,
    )
    bank.content_sha256 = bank.digest()
    return bank


def _strength(item: Item) -> tuple[int, int, int, int]:
    return (int(item.scored), LEVEL_RANKS.get(item.level, 0), GRADE_RANKS.get(item.grade, -1), len(item.studies))


def _one_answer_one_factor(items: list[Item], config: InstrumentConfig) -> tuple[list[Item], list[NotIncluded]]:
    """One answer never counts for two factors unless their evidence is declared independent.

    Where two items share a (question, answer), the weaker (scored before signal, then evidence
    level, GRADE, number of studies) loses that answer; an item left with no 'present' answer
    is dropped with the reason.
    """
    independent = {frozenset(pair) for pair in config.independent_factors}
    ranked = sorted(items, key=lambda i: (_strength(i), i.factor_id), reverse=True)
    taken: dict[tuple[str, str], str] = {}
    kept: list[Item] = []
    dropped: list[NotIncluded] = []
    for item in ranked:
        shared: list[str] = []
        for part in (item.present, item.partly):
            for link_id in list(part):
                codes = []
                for code in part[link_id]:
                    owner = taken.get((link_id, code))
                    if owner is not None and frozenset((owner, item.factor_id)) not in independent:
                        shared.append(f"{link_id}={code} ({owner})")
                    else:
                        codes.append(code)
                if codes:
                    part[link_id] = codes
                else:
                    del part[link_id]
        if not item.present:
            dropped.append(NotIncluded(
                item.factor_id, item.label_nl, item.label_en, item.domain, item.level, item.direction,
                "one answer never counts for two factors: " + ", ".join(shared) + " already counts",
                item.modifiable, list(item.studies)))
            continue
        for part in (item.present, item.partly):
            for link_id, codes in part.items():
                for code in codes:
                    taken.setdefault((link_id, code), item.factor_id)
        kept.append(item)
    order = {i.factor_id: n for n, i in enumerate(items)}
    return sorted(kept, key=lambda i: order[i.factor_id]), dropped


class Weights(dict[str, tuple[float, str]]):
    """Weight and its one-line basis per factor id; ``unweighted``: the factors asked as signals instead."""

    def __init__(self) -> None:
        super().__init__()
        self.unweighted: set[str] = set()


def assign_weights(included: Sequence[FactorEvidence], config: InstrumentConfig,
                   pooled_studies: Mapping[str, Sequence[str]] | None = None) -> Weights:
    """Weight and its one-line justification per factor id, by the configured rule.

    Under ``pooled_log`` a factor without a pooled ratio estimate gets weight 0 and is listed in
    ``unweighted`` (decision 0056): the weight of another factor is not its effect size, and level
    points are not on the |ln ratio| scale.
    """
    out = Weights()
    # per factor '2: a, b' ('(k = 2: a, b)' in the basis)
    k = {f: f"{len(names)}: {', '.join(names)}" for f, names in (pooled_studies or {}).items()}
    if config.weight_rule == "level":
        for ev in included:
            out[ev.factor_id] = _level_weight(ev, config, "weight_rule = level")
            if ev.pooled_estimate is not None:
                weight, basis = out[ev.factor_id]
                out[ev.factor_id] = (weight, basis + f"; pooled {_estimate(ev, k.get(ev.factor_id))} shown, not used")
        return out
    for ev in included:
        if ev.pooled_estimate is not None and ev.measure in RATIO_MEASURES:
            weight = round(abs(math.log(ev.pooled_estimate)), 3)
            out[ev.factor_id] = (weight, f"|ln {_estimate(ev, k.get(ev.factor_id))}| = {weight:.3f} "
                                         "(weight_rule = pooled_log)")
            continue
        why = ("no pooled estimate" if ev.pooled_estimate is None
               else f"pooled {_estimate(ev, k.get(ev.factor_id))} is not a ratio")
        out[ev.factor_id] = (0.0, f"signal, not weighed: {why}, and weight_rule = pooled_log weighs only a "
                                  f"factor's own pooled ratio (pooled_fallback = {config.pooled_fallback}; "
                                  f"evidence level '{ev.level}')")
        out.unweighted.add(ev.factor_id)
    return out


def _level_weight(ev: FactorEvidence, config: InstrumentConfig, why: str) -> tuple[float, str]:
    if ev.level not in config.level_points:
        raise ValidationError(f"scoring: level_points has no entry for evidence level {ev.level!r} "
                              f"(factor {ev.factor_id})")
    points = config.level_points[ev.level]
    return points, f"evidence level '{ev.level}' ({ev.rule_set or 'rule set not named'}) = {points:g} points ({why})"


def _estimate(ev: FactorEvidence, k: str | None) -> str:
    """'OR 1.98 [0.15-26.33] (k = 2: a, b)': digits as every output writes an estimate (``render.number``),
    and the pooled studies when known, so a wide interval explains itself."""
    english = T("en")
    assert ev.pooled_estimate is not None
    text = f"{ev.measure or 'ratio'} {number(english, ev.pooled_estimate)}"
    if ev.ci_low is not None and ev.ci_high is not None:
        text += f" [{effect_interval(ev.ci_low, ev.ci_high)}]"
    return f"{text} (k = {k})" if k else text


def _item(ev: FactorEvidence, templates: Templates, weight: tuple[float, str],
          pooled_studies: Mapping[str, Sequence[str]] | None = None) -> Item:
    template = templates.for_factor(ev.factor_id)
    assert template is not None
    names = list((pooled_studies or {}).get(ev.factor_id, ())) if ev.pooled_estimate is not None else []
    return Item(
        factor_id=ev.factor_id, label_nl=template.label_nl or ev.label_nl,
        label_en=template.label_en or ev.label_en, domain=ev.domain,
        modifiable=ev.modifiable, direction=ev.direction, level=ev.level, rule_set=ev.rule_set,
        grade=ev.grade, weight=weight[0], weight_basis=weight[1], studies=list(ev.studies),
        present={k: list(v) for k, v in template.present.items()},
        partly={k: list(v) for k, v in template.partly.items()},
        measure=ev.measure, pooled_estimate=ev.pooled_estimate, ci_low=ev.ci_low, ci_high=ev.ci_high,
        pooled_k=len(names) or None, pooled_studies=names,
        i2=ev.i2, topic_nl=template.topic_nl, topic_en=template.topic_en,
        advice_nl=template.advice_nl, advice_en=template.advice_en,
        ask_nl=template.ask_nl, ask_en=template.ask_en, listen_nl=template.listen_nl,
        listen_en=template.listen_en,
    )


def _expert_topic(ev: FactorEvidence, templates: Templates, expert: list[dict[str, Any]]) -> ExpertTopic:
    template = templates.for_factor(ev.factor_id)
    text = {k: getattr(template, k) if template else "" for k in (
        "topic_nl", "topic_en", "ask_nl", "ask_en", "listen_nl", "listen_en", "advice_nl", "advice_en")}
    return ExpertTopic(ev.factor_id, (template.label_nl if template else "") or ev.label_nl,
                       (template.label_en if template else "") or ev.label_en, ev.domain, ev.modifiable,
                       [dict(e) for e in expert], **text)


def _questions(items: list[Item], templates: Templates, config: InstrumentConfig) -> list[Question]:
    """Questions in item order; a gate question (enable_when) comes just before what it gates."""
    ordered: list[Question] = []
    by_id: dict[str, Question] = {}

    def add(link_id: str, domain: str) -> None:
        if link_id in by_id:
            return
        template = templates.questions[link_id]
        if template.enable_when:
            add(template.enable_when[0], template.domain or domain)
        question = Question(
            link_id=link_id, domain=template.domain or domain, text_nl=template.text_nl,
            text_en=template.text_en, type=template.type, help_nl=template.help_nl,
            help_en=template.help_en, enable_when=template.enable_when, medical=template.medical,
            options=[AnswerOption(o.code, o.text_nl, o.text_en, "neutral", 0.0) for o in template.options],
        )
        question.options.append(AnswerOption(UNKNOWN_CODE, UNKNOWN_NL, UNKNOWN_EN, "unknown", None))
        by_id[link_id] = question
        ordered.append(question)

    for item in items:
        for link_id in item.questions:
            add(link_id, item.domain)
            (by_id[link_id].factors if item.scored else by_id[link_id].signals).append(item.factor_id)
    signal_side: dict[tuple[str, str], str] = {}
    for item in items:
        sign = 1.0 if item.direction == "risk" else -1.0
        for part, fraction in (("present", 1.0), ("partly", config.partly_fraction)):
            for link_id, codes in getattr(item, part).items():
                if item.scored:
                    _add_weight(by_id[link_id], codes, sign * item.weight * fraction)
                else:
                    signal_side.update({(link_id, code): item.direction for code in codes})
    for question in ordered:
        for option in question.options:
            if option.weight is None:
                continue
            option.weight = round(option.weight, 4)
            option.side = ("risk" if option.weight > 0 else "protective" if option.weight < 0
                           else signal_side.get((question.link_id, option.code), "neutral"))
    return ordered


def _add_weight(question: Question, codes: Sequence[str], amount: float) -> None:
    for option in question.options:
        if option.code in codes and option.weight is not None:
            option.weight += amount
