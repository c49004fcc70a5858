"""Plain-text reports of the evidence analysis (kg.analysis.evidence): what the CLI prints and the app may show.

One function per result type; each returns the text without a trailing newline.
"""
from __future__ import annotations

from kg.analysis.evidence.model import (
    Balance,
    Certainty,
    CertaintyStep,
    ClaimSummary,
    Disagreement,
    FidelityItem,
    StudyEvidence,
)


def render_study_line(study: StudyEvidence) -> str:
    """One line for listings: label, design, level, sample, verification."""
    parts = [study.design or "design not recorded", study.level_label or "level not recorded", study.sample]
    if study.verification == "unverified":
        parts.append("UNVERIFIED record")
    return f"{study.label} ({study.key}): {'; '.join(parts)}"


def render_balance(balance: Balance) -> str:
    """The weighted sums, counts, score and verdict on one line."""
    score = "n/a" if balance.score is None else f"{balance.score:+.2f}"
    return (f"for {balance.support:.1f} ({balance.n_support} studies), against {balance.contradict:.1f} "
            f"({balance.n_contradict}), qualifying {balance.qualify:.1f} ({balance.n_qualify}); "
            f"score {score}: {balance.verdict}")


def step_change(step: CertaintyStep) -> str:
    """A certainty step's change in words: 'start', 'no change' or '-1'."""
    if step.domain == "start":
        return "start"
    return "no change" if step.change == 0 else f"{step.change:+d}"


def render_certainty(certainty: Certainty) -> str:
    """The rating's working, one step a line, then the grade."""
    lines = [f"  {step.domain:<14} {step_change(step):<9} {step.reason}" for step in certainty.steps]
    lines.append(f"  => {certainty.grade}")
    return "\n".join(lines)


def render_summary(summary: ClaimSummary) -> str:
    """The claim, its studies by stance with their rationales, the balance and the certainty with its working."""
    out = [f"{summary.curie}: {summary.label}", f"  {summary.statement}"]
    if summary.asserted_by:
        out.append(f"  asserted by: {', '.join(summary.asserted_by)}")
    if summary.subjects:
        out.append(f"  about: {', '.join(summary.subjects)}")
    for title, group in (("Supporting", summary.supporters), ("Contradicting", summary.contradictors),
                         ("Qualifying", summary.qualifiers)):
        out.append(f"{title} ({len(group)}):")
        for s in group:
            out.append(f"  - {render_study_line(s)}")
            out.append(f"      {s.rationale}")
    out.append(f"Balance (weights by level of evidence): {render_balance(summary.balance)}")
    out.append(f"Certainty: {summary.certainty.grade}")
    out.append(render_certainty(summary.certainty))
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
