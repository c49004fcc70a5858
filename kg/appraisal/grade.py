"""GRADE-style certainty of the body of evidence on a claim, with its working: pure functions of plain data.

rate_certainty(body) returns the level, its direction (that the claim holds, that it does not, or neither), the
outcome it is about, and one step per GRADE domain, each with its reason, whether the data let it be judged,
and the records it rests on. Nothing here reads the graph. The rules, in the order of the working:

start        from the question type and the designs (GRADE): diagnostic accuracy studies start High on a
             diagnostic question, cohorts High on a prognostic one; observational evidence on an intervention
             or an association starts Low, randomised evidence High; laboratory work starts Low (GRADE has no
             level for it); a narrative review is expert opinion and starts Very low. A line that gives only the
             authors' conclusion (no results) is not rated when other lines have results; a body made only of
             such lines stays Very low, so it can never rank above evidence with results.
risk of bias from the studies' risk-of-bias assessments (kg/model/ontology/appraisal.ttl): -1 when most studies
             are at high risk or have no information to show low risk, -2 when most are at very high risk.
inconsistency from estimates: comparable results (same measure, outcome and target) from two or more studies;
             intervals that do not overlap or I-squared over 50% where they pool, or point estimates of a
             percentage more than 20 points apart where there are no intervals, rate down one level.
indirectness from the PICO of each line against the claim: a test or intervention broader than or unrelated
             to the claim's, a population unrelated to the claim's, a figure over more targets than the claim
             names, specimens instead of patients. -1 when at least half the lines are indirect.
imprecision  per result: ratio intervals against no effect (1) and appreciable effects (0.75 and 1.25);
             intervals of a sensitivity, specificity or accuracy wider than 20 points; coefficient intervals
             against 0; a p-value stands for an interval that excludes no effect; then the optimal information
             size in the study's own unit (400 for continuous outcomes, a sample-size calculation for events).
             No interval and no p-value: cannot be assessed, and rated down, since precision cannot be shown.
publication bias stated; it cannot be assessed with fewer than 10 studies and is not rated down.
large effect, dose-response: only for evidence that started Low with no serious risk of bias or imprecision.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping

from kg.appraisal.model import GRADES, BodyOfEvidence, Certainty, ConceptInfo, Line, Result, Step
from kg.model.namespace import PREFIXES

C = PREFIXES["c"]
DIAGNOSTIC = "diagnostic accuracy"
PROGNOSTIC = "prognostic factor"
INTERVENTION = "intervention"
ASSOCIATION = "exposure or association"
MECHANISM = "mechanism"
QUESTIONS = (DIAGNOSTIC, PROGNOSTIC, INTERVENTION, ASSOCIATION, MECHANISM)

INTERVENTION_SCHEMES = {C + "interventions", C + "diagnostic-tests"}
CONDITION_SCHEME = C + "conditions"
DESIGN_ROOTS = {  # design kind by the root of the study-design concept it falls under
    C + "diagnostic-accuracy-study": "accuracy study",
    C + "systematic-review": "systematic review",
    # A review whose search method was not checked: rated on the studies it pools, like a systematic review; what
    # its unchecked search may have missed is judged under risk of bias (ROBIS), not at the start.
    C + "review-of-studies": "review of studies",
    C + "cohort-study": "cohort",
    C + "laboratory-study": "laboratory",
    C + "narrative-review": "narrative review",
}
RATIO_KINDS = {"odds ratio", "risk ratio", "hazard ratio"}
PERCENT_KINDS = {"sensitivity", "specificity", "accuracy", "prevalence", "event rate"}
CONTINUOUS_KINDS = {"coefficient", "standardized coefficient", "mean score", "mean difference"}
# GRADE's default thresholds for an appreciable effect on a ratio: a 25% relative fall or rise.
APPRECIABLE_LOW, APPRECIABLE_HIGH = 0.75, 1.25
CONTINUOUS_OIS = 400  # GRADE's rule of thumb for continuous outcomes, in the study's unit of analysis
# An interval of a proportion (sensitivity, specificity) wider than this, in percentage points, is imprecise: GRADE
# for diagnostic tests asks whether the interval's ends would lead to different decisions; a fixed width stands in.
CI_WIDTH_POINTS = 20.0
SPREAD_POINTS = 20.0  # percentage points between point estimates that GRADE reviewers would call inconsistent
I2_SERIOUS = 50.0
PUBLICATION_BIAS_MIN_STUDIES = 10
Z_ALPHA, Z_BETA = 1.959964, 0.841621  # two-sided alpha 0.05, power 0.8
CONCERN = {"low": 0, "some concerns": 1, "no information": 1, "high": 2, "very high": 3}


def rate_certainty(body: BodyOfEvidence) -> Certainty | None:
    """The certainty of the evidence on the claim with its working; None when no line bears on it."""
    if not body.lines:
        return None
    with_results = [line for line in body.lines if line.results]
    lines = with_results or list(body.lines)
    question = body.question if body.question in QUESTIONS else ASSOCIATION
    start, start_step = starting_level(body, lines, question, conclusion_only=not with_results)
    steps = [start_step, risk_of_bias(lines, body.concepts), inconsistency(lines), indirectness(body, lines, question),
             imprecision(lines), publication_bias(lines)]
    if with_results and start == 2:
        steps += upgrades(lines, rob=steps[1], imprecise=steps[4])
    else:
        why = ("no results to rate up from" if not with_results
               else f"only evidence that starts Low is rated up; this starts {GRADES[start]}")
        steps += [Step("large effect", 0, f"not considered: {why}", assessable=False),
                  Step("dose-response", 0, f"not considered: {why}", assessable=False)]
    level = max(1, min(4, start + sum(s.change for s in steps)))
    if not with_results:
        level = 1
    return Certainty(level, start, direction(lines), outcome(body, lines, bool(with_results)), question,
                     tuple(steps))


# ----------------------------------------------------------------------------------------------------------
# Start, direction, outcome
# ----------------------------------------------------------------------------------------------------------

def design_kind(line: Line, concepts: Mapping[str, ConceptInfo]) -> str:
    """accuracy study | systematic review | cohort | laboratory | narrative review | randomised | unknown."""
    if line.design and "random" in line.design.lower():
        return "randomised"
    info = concepts.get(line.design_iri) if line.design_iri else None
    for ancestor in sorted(info.ancestors if info else ()):
        if "random" in ancestor.rsplit("/", 1)[-1]:
            return "randomised"
    for root, kind in DESIGN_ROOTS.items():
        if info and root in info.ancestors:
            return kind
    return "unknown"


def line_start(kind: str, question: str) -> tuple[int, str]:
    """The level one line's design starts from for this question, and why."""
    if kind == "narrative review":
        return 1, "a narrative review is expert opinion, which GRADE does not count as evidence of an effect"
    if kind == "randomised":
        return 4, "randomised evidence starts High"
    if kind == "accuracy study":
        if question == DIAGNOSTIC:
            return 4, "GRADE starts cross-sectional or cohort accuracy studies High"
        return 2, "observational evidence starts Low"
    if kind in ("systematic review", "review of studies"):
        if question in (DIAGNOSTIC, PROGNOSTIC):
            return 4, f"a review of {question} studies starts where its studies do: High"
        return 2, "a review of observational studies starts where its studies do: Low"
    if kind == "cohort":
        if question == PROGNOSTIC:
            return 4, "under GRADE's guidance for prognosis, cohort studies start High"
        return 2, "observational evidence starts Low"
    if kind == "laboratory":
        return 2, "GRADE has no level for laboratory work; the project starts it Low, as observational evidence"
    return 2, "the design is not recorded; treated as observational evidence, which starts Low"


def starting_level(body: BodyOfEvidence, lines: list[Line], question: str, *,
                   conclusion_only: bool) -> tuple[int, Step]:
    """The best starting level among the rated lines, with the question type and design behind it."""
    asked = (f"{_a(question)} {question} question" if body.question in QUESTIONS
             else f"question type not recorded, treated as {question}")
    rated = [line.evidence for line in lines]
    if conclusion_only:
        names = ", ".join(sorted({line.label for line in lines}))
        return 1, Step("start", 0, f"Very low: {asked}, but no line records results, only the authors' conclusion "
                                   f"({names}); GRADE rates estimates, not conclusions", based_on=tuple(rated))
    best = max(lines, key=lambda line: (line_start(design_kind(line, body.concepts), question)[0], line.label))
    level, why = line_start(design_kind(best, body.concepts), question)
    left_out = sorted({line.label for line in body.lines if not line.results} - {line.label for line in lines})
    note = (f"; not rated: {', '.join(left_out)} (the authors' conclusion, no results)" if left_out else "")
    design = best.design or "study"
    return level, Step("start", 0, f"{GRADES[level]}: {asked}; {best.label} is {_a(design)} {design} and "
                                   f"{why}{note}", based_on=tuple(rated))


def _a(word: str) -> str:
    """The indefinite article for `word`."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def direction(lines: list[Line]) -> str:
    """holds | does not hold | unclear: where the rated studies point (by study, not by line)."""
    towards = {line.study for line in lines if line.stance == "supports"}
    against = {line.study for line in lines if line.stance == "contradicts"}
    if len(towards) > len(against):
        return "holds"
    if len(against) > len(towards):
        return "does not hold"
    return "unclear"


def outcome(body: BodyOfEvidence, lines: list[Line], with_results: bool) -> str:
    """The outcome the certainty is about, in words: the measures and what they measure."""
    def names(items: Iterable[str]) -> list[str]:
        return sorted({body.concepts[c].label if c in body.concepts else c.rsplit("/", 1)[-1] for c in items})

    if not with_results:
        subjects = [s for s in body.subjects if body.concepts.get(s) and body.concepts[s].scheme != CONDITION_SCHEME]
        return "the authors' conclusion about " + (", ".join(names(subjects or body.subjects)) or "the claim")
    results = [r for line in lines for r in line.results]
    kinds = sorted({r.kind for r in results})
    targets = names(t for r in results for t in r.targets)
    tests = names(t for r in results for t in r.index_tests)
    if targets:
        text = f"{', '.join(kinds)} for {', '.join(targets)}"
        return text + (f" ({', '.join(tests)})" if tests else "")
    return f"{', '.join(kinds)}: {', '.join(names(o for r in results for o in r.outcomes)) or 'as reported'}"


# ----------------------------------------------------------------------------------------------------------
# Rating down
# ----------------------------------------------------------------------------------------------------------

def _studies(lines: Iterable[Line]) -> list[Line]:
    """One line per study (the first), in label order: a study on two lines is judged once."""
    seen: dict[str, Line] = {}
    for line in lines:
        seen.setdefault(line.study, line)
    return sorted(seen.values(), key=lambda line: line.label)


NO_TOOL_KINDS = {"laboratory", "narrative review"}  # designs no risk-of-bias tool covers


def risk_of_bias(lines: list[Line], concepts: Mapping[str, ConceptInfo]) -> Step:
    """From the studies' overall risk-of-bias judgements. Laboratory work and narrative reviews, which no tool
    covers, are listed and not counted; any other study without a judgement counts as no information."""
    studies = _studies(lines)
    exempt = [s for s in studies if s.rob is not None and s.rob.overall is None
              and design_kind(s, concepts) in NO_TOOL_KINDS]
    judged = [s for s in studies if s.rob is not None and s.rob.overall is not None]
    no_tool = exempt
    missing = [s for s in studies if s not in judged and s not in exempt]
    based = tuple(s.rob.iri for s in studies if s.rob is not None)
    notes = [f"{s.label}: {s.rob.tool if s.rob else ''} {s.rob.overall if s.rob else ''}" for s in judged]
    notes += [f"{s.label}: no tool applies" for s in no_tool]
    notes += [f"{s.label}: {'not assessed' if s.rob is None else 'no tool applied'}, counted as no information"
              for s in missing]
    listing = "; ".join(notes)
    if not judged and not missing:
        return Step("risk of bias", 0, f"cannot be assessed: no risk-of-bias tool applies ({listing}); the limits "
                                       "of such work are in the starting level and in indirectness",
                    assessable=False, based_on=based)
    counted = len(judged) + len(missing)
    levels = [CONCERN.get(s.rob.overall or "", 1) if s.rob else 1 for s in judged] + [1] * len(missing)
    very_high = sum(1 for v in levels if v >= 3)
    high = sum(1 for v in levels if v >= 2)
    concerns = sum(1 for v in levels if v >= 1)
    if very_high * 2 > counted:
        return Step("risk of bias", -2, f"very serious: most studies are at very high risk of bias ({listing})",
                    based_on=based)
    if high * 2 > counted:
        return Step("risk of bias", -1, f"serious: most studies are at high risk of bias ({listing})", based_on=based)
    if concerns * 2 > counted:
        return Step("risk of bias", -1, "serious: most studies have some concerns, or records that do not show "
                                        f"low risk of bias ({listing})", based_on=based)
    return Step("risk of bias", 0, f"not serious: most studies are at low risk of bias ({listing})", based_on=based)


def _key(r: Result) -> tuple[str, frozenset[str], frozenset[str]]:
    return r.kind, r.targets, r.outcomes


def _comparable(lines: list[Line]) -> dict[tuple[str, frozenset[str], frozenset[str]], list[tuple[Line, Result]]]:
    """Results from two or more studies that measure the same thing (measure, target, outcome)."""
    groups: dict[tuple[str, frozenset[str], frozenset[str]], list[tuple[Line, Result]]] = defaultdict(list)
    for line in _studies(lines):
        for r in line.results:
            groups[_key(r)].append((line, r))
    return {k: v for k, v in groups.items() if len({line.study for line, _ in v}) >= 2}


def inconsistency(lines: list[Line]) -> Step:
    """From comparable estimates and their intervals (never from who supports or contradicts)."""
    groups = _comparable(lines)
    if not groups:
        return Step("inconsistency", 0, "cannot be assessed: no two studies report the same measure of the same "
                                        "outcome, so there is nothing to compare; not rated down (GRADE judges "
                                        "inconsistency across studies)", assessable=False,
                    based_on=tuple(line.evidence for line in lines))
    serious: list[str] = []
    fine: list[str] = []
    based: list[str] = []
    for (kind, _targets, _outcomes), members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        based += [r.iri for _, r in members]
        what = f"{kind} ({', '.join(sorted({line.label for line, _ in members}))})"
        with_ci = [(line, r) for line, r in members if r.interval]
        if len({line.study for line, _ in with_ci}) >= 2:
            lowest_upper = min(r.upper for _, r in with_ci if r.upper is not None)
            highest_lower = max(r.lower for _, r in with_ci if r.lower is not None)
            i2 = i_squared([r for _, r in with_ci])
            if highest_lower > lowest_upper or i2 > I2_SERIOUS:
                overlap = "do not overlap" if highest_lower > lowest_upper else "overlap"
                serious.append(f"{what}: the intervals {overlap} and I² is {i2:.0f}% (above {I2_SERIOUS:g}%)")
            else:
                fine.append(f"{what}: the intervals overlap and I² is {i2:.0f}%")
        elif kind in PERCENT_KINDS:
            values = sorted(((r.value, line.label) for line, r in members))
            spread = values[-1][0] - values[0][0]
            span = f"{values[0][0]:g}% ({values[0][1]}) to {values[-1][0]:g}% ({values[-1][1]})"
            if spread > SPREAD_POINTS:
                serious.append(f"{what}: point estimates from {span}, more than {SPREAD_POINTS:g} points apart, "
                               "with no intervals to show that chance explains it")
            else:
                fine.append(f"{what}: point estimates within {SPREAD_POINTS:g} points ({span})")
        else:
            fine.append(f"{what}: no intervals, and the estimates are on scales that cannot be compared")
    if serious:
        return Step("inconsistency", -1, "serious: " + "; ".join(serious + fine), based_on=tuple(based))
    return Step("inconsistency", 0, "not serious: " + "; ".join(fine), based_on=tuple(based))


def i_squared(results: list[Result]) -> float:
    """Higgins' I² (percent, floored at 0) of results with 95% intervals, from Cochran's Q with inverse-variance
    weights; ratios on the log scale. The same figure the pooled forest plot shows (I² does not depend on how the
    between-study variance is estimated)."""
    def scale(x: float, kind: str) -> float:
        return math.log(x) if kind in RATIO_KINDS else x

    effects, weights = [], []
    for r in results:
        if r.kind in RATIO_KINDS and min(r.value, r.lower or 0.0, r.upper or 0.0) <= 0:
            continue  # a ratio bound of 0 has no log: such an interval cannot be weighed
        lo, hi = scale(r.lower or 0.0, r.kind), scale(r.upper or 0.0, r.kind)
        se = (hi - lo) / (2 * Z_ALPHA)
        if se <= 0:
            continue
        effects.append(scale(r.value, r.kind))
        weights.append(1 / se ** 2)
    if len(effects) < 2:
        return 0.0
    mean = sum(w * e for w, e in zip(weights, effects, strict=True)) / sum(weights)
    q = sum(w * (e - mean) ** 2 for w, e in zip(weights, effects, strict=True))
    return max(0.0, (q - (len(effects) - 1)) / q * 100) if q > 0 else 0.0


def _related(a: str, b: str, concepts: Mapping[str, ConceptInfo]) -> bool:
    ca, cb = concepts.get(a), concepts.get(b)
    return a == b or bool((ca and b in ca.ancestors) or (cb and a in cb.ancestors))


def _within(a: str, b: str, concepts: Mapping[str, ConceptInfo]) -> bool:
    """a is b or narrower than b (non-contrast MRI within MRI; arthroscopy within hip surgery)."""
    info = concepts.get(a)
    return a == b or bool(info and b in info.ancestors)


def line_indirectness(body: BodyOfEvidence, line: Line, question: str) -> list[str]:
    """Why a line answers a different question from the claim's (empty when it answers it directly)."""
    concepts = body.concepts

    def label(c: str) -> str:
        return concepts[c].label if c in concepts else c.rsplit("/", 1)[-1]

    def labels(items: Iterable[str]) -> str:
        return ", ".join(sorted(label(c) for c in items))

    reasons: list[str] = []
    claim_tests = [s for s in body.subjects if concepts.get(s) and concepts[s].scheme in INTERVENTION_SCHEMES]
    claim_conditions = [s for s in body.subjects if concepts.get(s) and concepts[s].scheme == CONDITION_SCHEME]
    studied = {c for c in line.pico.get("intervention", frozenset())
               if concepts.get(c) and concepts[c].scheme in INTERVENTION_SCHEMES}
    studied |= {t for r in line.results for t in r.index_tests}
    if claim_tests and studied and not any(_within(s, t, concepts) for s in studied for t in claim_tests):
        reasons.append(f"studied {labels(studied)}; the claim is about {labels(claim_tests)}")
    population = set(line.pico.get("population", frozenset())) | set(line.pico.get("intervention", frozenset()))
    if claim_conditions and population and not any(_related(p, c, concepts) for p in population
                                                   for c in claim_conditions):
        reasons.append(f"population with {labels(line.pico.get('population', frozenset()))}; "
                       f"the claim is about {labels(claim_conditions)}")
    if claim_conditions:
        for r in line.results:
            extra = [t for t in r.targets if not any(_within(t, c, concepts) for c in claim_conditions)]
            if extra and len(r.targets) > 1:
                reasons.append(f"one figure covers {labels(r.targets)} together; the claim is about "
                               f"{labels(claim_conditions)}")
                break
    if design_kind(line, concepts) == "laboratory" and question != MECHANISM:
        reasons.append(f"{line.design or 'laboratory work'} on specimens, not patients")
    return reasons


def indirectness(body: BodyOfEvidence, lines: list[Line], question: str) -> Step:
    """From each line's PICO and results against the claim: -1 when at least half the lines are indirect."""
    found = [(line, line_indirectness(body, line, question)) for line in lines]
    indirect = [(line, why) for line, why in found if why]
    based = tuple(line.evidence for line in lines)
    listing = "; ".join(f"{line.label} ({', '.join(why)})" for line, why in indirect)
    if not indirect:
        return Step("indirectness", 0, "not serious: each study's population, test or intervention and outcome "
                                       "match the claim's", based_on=based)
    if len(indirect) * 2 >= len(lines):
        return Step("indirectness", -1, f"serious: {len(indirect)} of {len(lines)} lines answer a different "
                                        f"question ({listing})", based_on=based)
    return Step("indirectness", 0, f"not serious: only {len(indirect)} of {len(lines)} lines are indirect "
                                   f"({listing})", based_on=based)


def _significant(r: Result) -> bool | None:
    """Whether the p-value says the interval excludes no effect (None without a p-value)."""
    if r.p_value is None:
        return None
    if r.p_relation in ("<", "<="):
        return r.p_value <= 0.05
    if r.p_relation in (">", ">="):
        return False
    return r.p_value < 0.05


def events_ois(control: float) -> int:
    """Participants in total for a 25% relative risk reduction from `control` (a proportion), alpha 0.05,
    power 0.8, two equal groups: GRADE's optimal information size for a dichotomous outcome."""
    treated = control * (1 - 0.25)
    per_group = (Z_ALPHA + Z_BETA) ** 2 * (control * (1 - control) + treated * (1 - treated)) / (control - treated) ** 2
    return 2 * math.ceil(per_group)


def _ois(line: Line, r: Result) -> tuple[bool | None, str]:
    """Whether the study's size meets the optimal information size for this result, and how it was judged."""
    n, unit = line.sample_size, line.sample_unit or "units"
    if n is None:
        return None, "no sample size recorded to check the optimal information size against"
    if r.kind == "event rate":
        rates = [x.value for x in line.results if x.kind == "event rate" and x.outcomes == r.outcomes]
        control = min(rates) / 100
        if control <= 0:
            return None, "a zero event rate gives no optimal information size"
        need = events_ois(control)
        return n >= need, (f"{n} {unit} against an optimal information size of {need} (a 25% relative change "
                           f"from the lower rate, {min(rates):g}%)")
    if r.kind in CONTINUOUS_KINDS:
        return n >= CONTINUOUS_OIS, (f"{n} {unit} against the {CONTINUOUS_OIS} {unit} GRADE suggests for a "
                                     "continuous outcome")
    return None, "no optimal information size for this measure"


def result_imprecision(line: Line, r: Result) -> tuple[int, bool, str]:
    """(change, assessable, reason) for one result; the event rates of one outcome are judged as one contrast."""
    name = r.label
    if r.kind == "event rate":
        rates = sorted((x.value for x in line.results if x.kind == "event rate" and x.outcomes == r.outcomes),
                       reverse=True)
        name = f"{line.label}: event rates {' vs '.join(f'{v:g}%' for v in rates)}"
    if r.kind in RATIO_KINDS and r.interval:
        lo, hi = r.lower or 0.0, r.upper or 0.0
        ci = f"{name}: {r.value:g} ({lo:g} to {hi:g})"
        if lo > 1 or hi < 1:
            return 0, True, f"{ci} excludes no effect"
        if lo < APPRECIABLE_LOW and hi > APPRECIABLE_HIGH:
            return -2, True, (f"{ci} includes no effect and spans both an appreciable fall (below "
                              f"{APPRECIABLE_LOW:g}) and an appreciable rise (above {APPRECIABLE_HIGH:g})")
        if lo < APPRECIABLE_LOW or hi > APPRECIABLE_HIGH:
            return -1, True, f"{ci} includes no effect and an appreciable effect"
        return 0, True, f"{ci} excludes any appreciable effect"
    if r.kind in PERCENT_KINDS and r.interval:
        lo, hi = r.lower or 0.0, r.upper or 0.0
        ci = f"{name}: {r.value:g}% ({lo:g}% to {hi:g}%)"
        if hi - lo > CI_WIDTH_POINTS:
            return -1, True, (f"{ci} spans more than {CI_WIDTH_POINTS:g} points, wide enough to change what a "
                              "test result would mean")
        return 0, True, f"{ci} spans at most {CI_WIDTH_POINTS:g} points"
    if r.interval or _significant(r) is not None:
        if r.interval:
            lo, hi = r.lower or 0.0, r.upper or 0.0
            excludes = lo > 0 or hi < 0
            basis = f"{name}: {r.value:g} ({lo:g} to {hi:g})"
        else:
            excludes = bool(_significant(r))
            basis = f"{name}: P {r.p_relation or '='} {r.p_value:g}"
        if not excludes:
            return -1, True, f"{basis} does not exclude no effect"
        met, how = _ois(line, r)
        if met is False:
            return -1, True, f"{basis} excludes no effect, but {how}"
        return 0, True, f"{basis} excludes no effect; {how}"
    return -1, False, f"{name}: cannot be assessed, no interval and no p-value recorded"


def imprecision(lines: list[Line]) -> Step:
    """The worst of the results' judgements (GRADE rates the outcome the claim rests on by its least precise
    part); results without interval or p-value cannot show precision and rate down."""
    judged = [(line, r, *result_imprecision(line, r)) for line in lines for r in line.results]
    if not judged:
        return Step("imprecision", -1, "cannot be assessed: no results are recorded, so precision cannot be shown; "
                                       "rated down", assessable=False, based_on=tuple(line.evidence for line in lines))
    change = min(c for _, _, c, _, _ in judged)
    assessable = any(a for _, _, _, a, _ in judged)
    unassessed = [r.label for _, r, _, a, _ in judged if not a]
    listed = f"{'; '.join(unassessed[:4])}{'; ...' if len(unassessed) > 4 else ''}"
    based = tuple(r.iri for _, r, _, _, _ in judged)
    if not assessable:
        return Step("imprecision", change, f"cannot be assessed: no figure has an interval or a p-value ({listed}); "
                                           "rated down, because precision cannot be shown", assessable=False,
                    based_on=based)
    reasons = list(dict.fromkeys(why for _, _, _, a, why in judged if a))  # two arms of one contrast: said once
    if unassessed:
        reasons.append(f"no interval or p-value for {len(unassessed)} figure(s) ({listed}), so their precision "
                       "cannot be shown")
    severity = {0: "not serious", -1: "serious", -2: "very serious"}[change]
    return Step("imprecision", change, f"{severity}: {'; '.join(reasons)}", based_on=based)


def publication_bias(lines: list[Line]) -> Step:
    """Stated always; assessable only with enough studies for a funnel plot."""
    k = len(_studies(lines))
    return Step("publication bias", 0, f"cannot be assessed: {k} stud{'y' if k == 1 else 'ies'}, fewer than the "
                                       f"{PUBLICATION_BIAS_MIN_STUDIES} a funnel plot or test needs, and no trial "
                                       "registry was searched; not rated down, so the rating assumes no study is "
                                       "missing", assessable=False, based_on=tuple(line.evidence for line in lines))


def upgrades(lines: list[Line], *, rob: Step, imprecise: Step) -> list[Step]:
    """Large effect and dose-response, for observational evidence that started Low."""
    ratios = [r for line in lines for r in line.results if r.kind in RATIO_KINDS and r.interval]
    based = tuple(r.iri for r in ratios)
    if not ratios:
        large = Step("large effect", 0, "cannot be assessed: no ratio with an interval is recorded",
                     assessable=False)
    elif rob.change < 0 or imprecise.change < 0:
        large = Step("large effect", 0, "not rated up: GRADE rates up only evidence without serious risk of bias "
                                        "or imprecision", based_on=based)
    else:
        def size(r: Result) -> float:
            lo, hi = r.lower or 0.0, r.upper or 0.0
            return max(lo, 1 / hi if hi > 0 else 0.0)  # the interval's bound nearest no effect, as a ratio >= 1

        best = max(ratios, key=size)
        bound = size(best)
        change = 2 if bound >= 5 else 1 if bound >= 2 else 0
        words = {2: "+2: very large effect", 1: "+1: large effect", 0: "not rated up: no ratio of 2 or more"}
        large = Step("large effect", change, f"{words[change]} ({best.label}: {best.value:g}, "
                                             f"{best.lower:g} to {best.upper:g})", based_on=based)
    dose = Step("dose-response", 0, "cannot be assessed: no results across levels of the exposure are recorded",
                assessable=False)
    return [large, dose]
