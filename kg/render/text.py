"""Plain-text reports of the evidence analysis (kg.analysis.evidence): what the CLI prints and the app may show.

One function per result type; each returns the text without a trailing newline.
"""
from __future__ import annotations

from kg.analysis.evidence.model import (
    ClaimSummary,
    Disagreement,
    FidelityItem,
    StudyEvidence,
)
from kg.appraisal import Certainty, DirectionSummary, PoolGroup, Step

DIRECTION_WORDS = {"holds": "that the claim holds", "does not hold": "that the claim does not hold",
                   "unclear": "of any conclusion: the studies do not point one way"}


def render_study_line(study: StudyEvidence) -> str:
    """One line for listings: label, design, level, sample, verification."""
    parts = [study.design or "design not recorded", study.level_label or "level not recorded", study.sample]
    if study.verification == "unverified":
        parts.append("UNVERIFIED record")
    return f"{study.label} ({study.key}): {'; '.join(parts)}"


def step_change(step: Step) -> str:
    """A certainty step's change in words: 'start', 'no change', '-1' or '+1'."""
    if step.domain == "start":
        return "start"
    return "no change" if step.change == 0 else f"{step.change:+d}"


def certainty_headline(certainty: Certainty) -> str:
    """'Low certainty that the claim holds, for sensitivity for labral tear (diagnostic accuracy question)'."""
    return (f"{certainty.grade} certainty {DIRECTION_WORDS[certainty.direction]}, for {certainty.outcome} "
            f"({certainty.question} question)")


def render_certainty(certainty: Certainty) -> str:
    """The rating's working, one step a line ('[not assessable]' where the data do not allow a judgement),
    then the level."""
    lines = [f"  {step.domain:<16} {step_change(step):<9} {'' if step.assessable else '[not assessable] '}"
             f"{step.reason}" for step in certainty.steps]
    lines.append(f"  => {certainty.grade} (started {certainty.starting_grade})")
    return "\n".join(lines)


def render_direction(summary: DirectionSummary) -> str:
    """The direction of effect, one study a line, then the verdict with the sign test."""
    lines = [f"  {row.arrow} {row.label}: {row.direction}; {row.design}; risk of bias {row.risk_of_bias}; "
             f"{row.basis}" for row in summary.rows]
    lines.append(f"  {summary.verdict}")
    return "\n".join(lines)


def render_pools(pools: list[PoolGroup]) -> str:
    """Each group of comparable results: the pooled estimate with its heterogeneity, or why it does not pool."""
    if not pools:
        return ("  nothing pools: no two studies report the same measure of the same test or exposure for the "
                "same target and outcome")
    lines = []
    for group in pools:
        if group.pooled:
            p = group.pooled
            lines.append(f"  {group.description}: {p.value:.3g} ({p.lower:.3g} to {p.upper:.3g}), random effects over "
                         f"{len(p.estimates)} studies; I² {p.i2:.0f}%, tau² {p.tau2:.3g}")
        else:
            lines.append(f"  {group.description}: not pooled, {group.why_not}")
    return "\n".join(lines)


def render_summary(summary: ClaimSummary) -> str:
    """The claim, its studies by stance with their rationales, the certainty with its working, the direction of
    effect and the pooling."""
    out = [f"{summary.curie}: {summary.label}", f"  {summary.statement}"]
    if summary.asserted_by:
        out.append(f"  asserted by: {', '.join(summary.asserted_by)}")
    if summary.subjects:
        out.append(f"  about: {', '.join(summary.subjects)}")
    for title, group in (("Supporting", summary.supporters), ("Contradicting", summary.contradictors),
                         ("Qualifying", summary.qualifiers), ("Inconclusive", summary.inconclusive)):
        if title == "Inconclusive" and not group:
            continue
        out.append(f"{title} ({len(group)}):")
        for s in group:
            out.append(f"  - {render_study_line(s)}")
            out.append(f"      {s.rationale}")
    if summary.certainty is None:
        out.append("Certainty: no evidence (no cited study bears on this claim)")
    else:
        out.append(f"Certainty: {certainty_headline(summary.certainty)}")
        out.append(render_certainty(summary.certainty))
    out.append("Direction of effect (SWiM):")
    out.append(render_direction(summary.direction))
    out.append("Pooling:")
    out.append(render_pools(summary.pools))
    return "\n".join(out)


def render_disagreement(pair: Disagreement) -> str:
    """The pair and its verdict, the reason, then each difference ('*' where it defines the question)."""
    out = [f"{pair.first.label} ({pair.first.stance}) vs {pair.second.label} ({pair.second.stance}): {pair.verdict}",
           f"  {pair.reason}"]
    for d in pair.differences:
        out.append(f"  {'*' if d.question_defining else '-'} {d.aspect}: {d.first}  |  {d.second}")
    if pair.same:
        out.append(f"  same: {', '.join(pair.same)}")
    return "\n".join(out)


def render_fidelity_item(item: FidelityItem) -> str:
    """The departure's kind, study and aspect, then both accounts and what it was checked against."""
    ref = f"ref {item.reference}, " if item.reference is not None else ""
    return (f"[{item.kind}] {item.study} ({ref}{item.aspect})\n  article says: {item.article_says}\n"
            f"  record says:  {item.record_says}\n  checked against: {item.checked_against}")
