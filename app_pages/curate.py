"""Curate mode: forms on the study and claim pages that change the curated data through kg.curate.

Off by default: the sidebar's "Curate" toggle turns it on, and the curator's name, asked once per session, is
written with every change (prov:wasAttributedTo, with prov:generatedAtTime). Unavailable with KG_READ_ONLY=1,
when the claims file is not writable, and on a remote store unless it takes SPARQL Update and KG_DATA_DIR names
the data files it was pushed from: a change is then written to that claims.ttl as usual and sent to the remote
graph as its triple difference (kg.curate.remote). Each form builds one kg.curate operation; kg.curate checks
it (domain rules, then the candidate file through the build and SHACL) and writes it, or refuses it with
messages keyed by field, which the form shows beside those fields on its next run. An accepted change clears the
app's caches (resources.after_change), so the pages show it on their next run.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from app_pages import resources
from app_pages.widgets import literal, short_id, text

if TYPE_CHECKING:
    from kg.curate.operations import Operation
    from kg.ingest.build import DataSources

MODE_KEY = "curate_mode"  # the toggle's widget key
_MODE = "_curate_on"  # the toggle's value, kept across pages (a widget's own state goes when its page does)
CURATOR_KEY = "curator"
_ERRORS = "_curate_errors:"  # + form: the messages of its last refused change, by field
_DONE = "_curate_done"  # the last accepted change, shown once
GENERAL = "record"  # kg.curate.check.GENERAL: a message about the record as a whole
NONE = "—"
UNIT_CHOICES = ("percent", "fraction", "ratio", "score points")
_C = "https://w3id.org/hipspine/concept/"
SCHEMES = {"design": _C + "study-designs", "level": _C + "levels-of-evidence"}
# Which schemes each kind of picker offers (a concept outside them is added with "New concept" first).
CONDITIONS = (_C + "conditions",)
TESTS_AND_TREATMENTS = (_C + "interventions", _C + "diagnostic-tests")
OUTCOMES = (_C + "outcomes",)


# ----------------------------------------------------------------------------------------- mode and curator


def unavailable() -> str | None:
    """Why curate mode is off here, or None when it can be switched on."""
    if os.environ.get("KG_READ_ONLY", "").strip() not in ("", "0"):
        return "The app is read-only here (KG_READ_ONLY=1)."
    _, claims, endpoint = resources.data_files()
    if endpoint and not os.environ.get("KG_DATA_DIR"):
        return ("The graph comes from a remote store and no data files are configured: set KG_DATA_DIR to the "
                "data it was pushed from, or curate with `kg curate`, then `kg push`.")
    if endpoint and not resources.remote_updates():
        return ("The remote store does not take SPARQL Update here (read-only): curate the data files with `kg "
                "curate`, then `kg push`.")
    if not os.access(claims, os.W_OK):
        return f"The claims file {claims} is not writable."
    return None


def _remember_mode() -> None:
    st.session_state[_MODE] = bool(st.session_state.get(MODE_KEY))


def curator() -> str | None:
    """The sidebar's Curate toggle and the curator's name: the name when curate mode is on, else None."""
    reason = unavailable()
    # The toggle's own state goes with its page, so it is set from _MODE, which its callback keeps.
    st.session_state[MODE_KEY] = bool(st.session_state.get(_MODE, False)) and reason is None
    on = st.sidebar.toggle("Curate", key=MODE_KEY, disabled=reason is not None, on_change=_remember_mode,
                           help=reason or "Show forms that add, edit and delete this page's curated records.")
    if reason is not None:
        st.sidebar.caption(literal(reason))
        return None
    if not on:
        return None
    name = st.session_state.get(CURATOR_KEY)
    if name:
        st.sidebar.caption(f"Curating as **{literal(name)}**: recorded with each change.")
        return str(name)
    with st.sidebar.form("curator_form", border=False):
        typed = st.text_input("Your name", key="curator_input", placeholder="recorded with each change",
                              help="Asked once per session; written as prov:wasAttributedTo on every record you "
                                   "change.")
        if st.form_submit_button("Start curating") and typed.strip():
            st.session_state[CURATOR_KEY] = typed.strip()
            st.rerun()
    st.sidebar.caption("Name yourself to start curating.")
    return None


# ----------------------------------------------------------------------------------------- submitting


def sources() -> DataSources:
    from kg.ingest.build import DataSources

    data_dir = resources.source()[0]
    return DataSources.resolve(Path(data_dir) if data_dir else None)


def errors(form: str) -> dict[str, list[str]]:
    found = st.session_state.get(_ERRORS + form)
    return dict(found) if isinstance(found, Mapping) else {}


def field_errors(form: str, *fields: str) -> None:
    """The messages of the form's last refusal for these fields, shown where this is called (beside them)."""
    shown = errors(form)
    for name in fields:
        for key, messages in shown.items():
            if key == name or key.startswith(name + "."):
                for message in messages:
                    st.error(literal(message), icon=":material/block:")


def general_errors(form: str, fields: tuple[str, ...]) -> None:
    """Messages about the record as a whole, or about fields this form does not show."""
    for key, messages in errors(form).items():
        if key == GENERAL or not any(key == f or key.startswith(f + ".") for f in fields):
            for message in messages:
                st.error(literal(message if key == GENERAL else f"{key}: {message}"), icon=":material/block:")


def submit(form: str, build: Callable[[], Operation | None], *, mode: str = "add", delete: str | None = None) -> None:
    """Build the operation, hand it to kg.curate (add, edit or save it, or delete the record `delete`) and rerun:
    on a refusal its messages go beside the fields, on success the caches are cleared (and a persistent store is
    updated in place) so every page shows the change."""
    from kg.curate import Curation, Refusal
    from kg.curate.operations import FieldError
    from kg.ingest.files import ConcurrentChange

    store = resources.source()[2]
    # On a persistent store a change is checked against the store (no candidate build of a large corpus).
    context = resources.graph().snapshot() if store else None
    curation = Curation(str(st.session_state.get(CURATOR_KEY, "")), sources(), context=context)
    try:
        if delete is not None:
            applied = curation.delete(delete)
        else:
            op = build()
            assert op is not None
            applied = {"add": curation.add, "edit": curation.edit, "save": curation.save}[mode](op)
    except FieldError as exc:
        st.session_state[_ERRORS + form] = {exc.field: [exc.message]}
    except Refusal as exc:
        st.session_state[_ERRORS + form] = exc.messages
    except (ValueError, ConcurrentChange) as exc:
        st.session_state[_ERRORS + form] = {GENERAL: [str(exc)]}
    else:
        st.session_state[_ERRORS + form] = {}
        st.session_state[_DONE] = (applied.action, applied.records, applied.curator, applied.at, applied.diff)
        if store:  # apply the change to the persistent store instead of rebuilding it on the next load
            from kg.curate.store import update_persistent

            update_persistent(Path(store), curation.sources, applied.before_bytes, applied.after_bytes, applied.records)
        if resources.source()[1]:  # a remote store: send it the change's triple difference
            from kg.curate.remote import apply_remote
            from kg.store.remote import RemoteBackend, RemoteError

            backend = resources.graph().backend
            assert isinstance(backend, RemoteBackend)
            try:
                apply_remote(backend, applied, curation.sources)
            except RemoteError as exc:
                st.session_state[_ERRORS + form] = {GENERAL: [
                    f"written to claims.ttl, but the remote store refused the update ({exc}): run `kg push`"]}
        resources.after_change()
    st.rerun()


def show_done() -> None:
    """The change just accepted: what, by whom, when, and the diff of the claims file."""
    slot = st.container()  # always drawn, so the tabs below keep their place (and the chosen tab) across runs
    done = st.session_state.pop(_DONE, None)
    if not done:
        return
    action, records, who, at, diff = done
    from kg.model.namespace import compact

    names = ", ".join(compact(r) for r in records)
    slot.success(f"{action.capitalize()}: {literal(names)}, by {literal(who)} at {literal(at)}.",
               icon=":material/check_circle:")
    with slot.expander("The change to claims.ttl"):
        st.code(diff, language="diff")


def _opt(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _curies(iris: list[str]) -> tuple[str, ...]:
    from kg.model.namespace import compact

    return tuple(compact(i) for i in iris)


def concept_options(schemes: str | tuple[str, ...] | None) -> dict[str, str]:
    """The concepts of `schemes` (all when None), IRI -> "label (curie)", by label."""
    options: dict[str, str] = {}
    for scheme in (schemes,) if schemes is None or isinstance(schemes, str) else schemes:
        options.update(resources.concepts(scheme))
    return dict(sorted(options.items(), key=lambda kv: kv[1].lower()))


def concept_picker(label: str, key: str, schemes: str | tuple[str, ...] | None = None, *, many: bool = True,
                   help: str | None = None) -> Any:
    """A searchable picker of the concepts of `schemes` (all schemes when None); type to filter; values are IRIs."""
    options = concept_options(schemes)
    if many:
        return st.multiselect(label, list(options), format_func=lambda i: options.get(i, i), key=key,
                              placeholder="type to search the concept schemes", help=help)
    return st.selectbox(label, list(options), format_func=lambda i: options.get(i, i), key=key, index=None,
                        placeholder="type to search the concept schemes", help=help)


# ----------------------------------------------------------------------------------------- the forms


def facts_now(key: str) -> dict[str, Any]:
    """The study-facts form's fields as the graph has them for study `key`."""
    record = resources.query("study_record", {"study": key})
    if record.empty:
        return {}
    r = record.iloc[0]
    designs = {label.rsplit(" (", 1)[0]: iri for iri, label in resources.concepts(SCHEMES["design"]).items()}
    level, n = text(r.get("level")), text(r.get("n"))
    return {"facts:design": designs.get(text(r.get("design"))),
            "facts:level": f"{SCHEMES['level'].rsplit('/', 1)[0]}/loe-{int(float(level))}" if level else None,
            "facts:level_basis": text(r.get("level_basis")), "facts:sample_size": int(float(n)) if n else None,
            "facts:sample_unit": text(r.get("unit"))}


def study_facts_form(key: str) -> None:
    """Design, level of evidence (with its basis) and sample size with its unit."""
    from kg.curate.operations import StudyFacts
    from kg.model.namespace import compact

    form, fields = "facts", ("study", "design", "level", "level_basis", "sample_size", "sample_unit")
    if st.session_state.get(f"{form}:for") != key:  # a study opened: start from what the graph holds for it
        st.session_state.update(facts_now(key))
        st.session_state[f"{form}:for"] = key
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        design = concept_picker("Study design", f"{form}:design", SCHEMES["design"], many=False)
        field_errors(form, "design")
        level = concept_picker("Level of evidence", f"{form}:level", SCHEMES["level"], many=False)
        field_errors(form, "level")
        basis = st.text_area("Basis of the level", key=f"{form}:level_basis", height=68,
                             placeholder="why this level: the design, the grading scheme")
        field_errors(form, "level_basis")
        left, right = st.columns(2)
        size = left.number_input("Sample size", key=f"{form}:sample_size", min_value=0, step=1, value=None)
        unit = right.text_input("Unit of the sample", key=f"{form}:sample_unit", placeholder="patients, hips, specimens")
        field_errors(form, "sample_size", "sample_unit")
        if st.form_submit_button("Save design and sample", type="primary"):
            submit(form, mode="save", build=lambda: StudyFacts(
                key, compact(design) if design else None, compact(level) if level else None, _opt(basis), _int(size),
                _opt(unit)))


def _arm(form: str, role: str, label: str, wording_help: str, schemes: tuple[str, ...]) -> None:
    concept_picker(label, f"{form}:{role}:concepts", schemes)
    st.text_input(f"{label}: as the study words it", key=f"{form}:{role}:label", help=wording_help)
    field_errors(form, role)


def pico_form(key: str) -> None:
    """The study's PICO frame, concepts picked from the schemes."""
    from kg.curate.operations import Arm, Pico

    form = "pico"
    fields = ("study", "label", "population", "intervention", "comparator", "outcomes", "participants", "frame")
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        label = st.text_input("Frame label", key=f"{form}:label", placeholder="Author year: what was studied in whom")
        field_errors(form, "label")
        _arm(form, "population", "Population / condition or target condition", "e.g. adults with hip osteoarthritis",
             CONDITIONS)
        participants = st.number_input("Participants", key=f"{form}:participants", min_value=0, step=1, value=None)
        field_errors(form, "participants")
        _arm(form, "intervention", "Intervention or index test", "e.g. MR arthrography", TESTS_AND_TREATMENTS)
        _arm(form, "comparator", "Comparator or reference standard", "e.g. arthroscopic findings",
             TESTS_AND_TREATMENTS)
        _arm(form, "outcomes", "Outcomes", "e.g. diagnostic accuracy for labral tears", OUTCOMES)
        frame = st.text_input("Frame name", key=f"{form}:frame", placeholder=f"default: pf:{key}",
                              help="Only for a study with more than one frame.")
        field_errors(form, "frame")
        if st.form_submit_button("Save the PICO frame", type="primary"):
            s = st.session_state

            def arm(role: str) -> Arm:
                return Arm(_opt(s[f"{form}:{role}:label"]), _curies(s[f"{form}:{role}:concepts"]))

            comparator = arm("comparator")
            submit(form, mode="save", build=lambda: Pico(
                key, label.strip(), arm("population"), arm("intervention"), arm("outcomes"),
                comparator if (comparator.label or comparator.concepts) else None, _int(participants), _opt(frame)))


def new_concept_form() -> None:
    """A concept the schemes lack: a separate, deliberate step before it can be picked."""
    from kg.curate.operations import NewConcept
    from kg.model.namespace import compact

    form, fields = "concept", ("name", "label", "scheme", "synonyms", "broader", "definition")
    st.caption("Add a concept only when no existing one fits: search the pickers first. Once saved it can be "
               "picked in every form.")
    schemes = sorted({str(r) for r in resources.concept_schemes()})
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        label = st.text_input("Preferred label", key=f"{form}:label")
        field_errors(form, "label")
        name = st.text_input("Name (slug)", key=f"{form}:name", placeholder="lowercase-with-hyphens")
        field_errors(form, "name")
        scheme = st.selectbox("Scheme", schemes, format_func=compact, key=f"{form}:scheme", index=None,
                              placeholder="choose the concept scheme")
        field_errors(form, "scheme")
        broader = concept_picker("Broader concept", f"{form}:broader", many=False)
        field_errors(form, "broader")
        synonyms = st.text_input("Synonyms", key=f"{form}:synonyms", placeholder="separated by semicolons")
        field_errors(form, "synonyms")
        definition = st.text_area("Definition", key=f"{form}:definition", height=68)
        field_errors(form, "definition")
        edit = st.checkbox("Edit the existing concept of this name", key=f"{form}:edit")
        if st.form_submit_button("Save the concept", type="primary"):
            submit(form, mode="edit" if edit else "add", build=lambda: NewConcept(
                name.strip(), label.strip(), compact(scheme) if scheme else "",
                tuple(x.strip() for x in synonyms.split(";") if x.strip()), compact(broader) if broader else None,
                _opt(definition)))


def _claim_choices(search: str) -> dict[str, str]:
    frame = resources.query("claims", {"search": search.strip() or None})
    return {short_id(c): f"{text(lbl)} (claim:{short_id(c)})" for c, lbl in zip(frame["claim"], frame["label"], strict=True)}


def _study_choices(search: str) -> dict[str, str]:
    frame = resources.query("studies", {"search": search.strip() or None, "after": None})
    return {str(k): f"{text(lbl)}: {text(t)} ({k})" for k, lbl, t in zip(frame["key"], frame["label"], frame["title"],
                                                                         strict=True)}


def evidence_form(study: str | None = None, claim: str | None = None) -> None:
    """An evidence line: a study's stance on an existing or a new claim. One of `study`, `claim` is fixed by the
    page; the other is picked."""
    from kg.curate.operations import STANCES, Claim, EvidenceLine
    from kg.model.namespace import compact

    form = "evidence"
    fields = ("study", "claim", "stance", "section", "rationale", "pico", "follow_up", "results", "new_claim", "name")
    new = False
    if claim is None:
        new = st.radio("Claim", ["an existing claim", "a new claim"], key=f"{form}:claim_kind", horizontal=True) \
            == "a new claim"
        if not new:
            search = st.text_input("Find the claim", key=f"{form}:claim_search", placeholder="words from its label")
    else:
        search = st.text_input("Find the study", key=f"{form}:study_search", placeholder="author, title or key")
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        if claim is None and not new:
            claims = _claim_choices(search)
            st.selectbox("Existing claim", list(claims), format_func=lambda c: claims.get(c, c), key=f"{form}:claim",
                         index=None, placeholder="choose the claim")
            field_errors(form, "claim")
        elif claim is None:
            st.text_input("Claim label", key=f"{form}:new_label", placeholder="short, in your own words")
            field_errors(form, "new_claim.label")
            st.text_area("Statement", key=f"{form}:new_statement", height=68,
                         placeholder="the claim as one sentence, in your own words")
            field_errors(form, "new_claim.statement")
            st.text_input("Claim name (slug)", key=f"{form}:new_name", placeholder="lowercase-with-hyphens")
            field_errors(form, "new_claim.name")
            sources_ = resources.source_articles()
            st.multiselect("Source of the claim", list(sources_), format_func=lambda k: f"{sources_[k]} ({k})",
                           key=f"{form}:new_sources", placeholder="the article it was taken from")
            field_errors(form, "new_claim.sources")
            st.text_input("Section of the source", key=f"{form}:new_section", placeholder="e.g. Diagnosis")
            field_errors(form, "new_claim.section")
            concept_picker("About (subjects)", f"{form}:new_subjects")
            field_errors(form, "new_claim.subjects", "new_claim.asserted_by", "new_claim")
        else:
            studies = _study_choices(search)
            st.selectbox("Study", list(studies), format_func=lambda k: studies.get(k, k), key=f"{form}:study",
                         index=None, placeholder="choose the study")
            st.text_input("or its BibTeX key", key=f"{form}:study_key",
                          help="A study the list above does not show (search narrows it), by its key in references.bib.")
            field_errors(form, "study")
        st.radio("Stance", list(STANCES), key=f"{form}:stance", horizontal=True, index=None)
        field_errors(form, "stance")
        st.text_input("Section of the study it rests on", key=f"{form}:section", placeholder="e.g. Abstract (results)")
        field_errors(form, "section")
        st.text_area("Rationale", key=f"{form}:rationale", height=68, placeholder="why the study bears on the claim this way")
        field_errors(form, "rationale")
        frames = resources.pico_frames()
        st.selectbox("PICO frame", list(frames), format_func=lambda f: frames.get(f, f), key=f"{form}:pico", index=None,
                     placeholder="default: the study's own frame (pf:KEY)")
        field_errors(form, "pico")
        st.text_input("Follow-up", key=f"{form}:follow_up", placeholder="e.g. 1 year")
        field_errors(form, "follow_up")
        edit = st.checkbox("Edit the existing line of this study on this claim", key=f"{form}:edit",
                           help="Off: a new line (refused if the study already has one on the claim).")
        if st.form_submit_button("Save the evidence line", type="primary"):
            s = st.session_state

            def build() -> EvidenceLine:
                new_claim = None
                if new:
                    new_claim = Claim(s[f"{form}:new_name"].strip(), s[f"{form}:new_label"].strip(),
                                      s[f"{form}:new_statement"].strip(), tuple(s[f"{form}:new_sources"]),
                                      s[f"{form}:new_section"].strip(), _curies(s[f"{form}:new_subjects"]))
                chosen_claim = claim if claim is not None else ("" if new else (s[f"{form}:claim"] or ""))
                chosen_study = study if study is not None else (s[f"{form}:study_key"].strip() or s[f"{form}:study"] or "")
                pico = s[f"{form}:pico"]
                return EvidenceLine(chosen_study, f"claim:{chosen_claim}" if chosen_claim else "",
                                    s[f"{form}:stance"] or "", s[f"{form}:section"].strip(),
                                    s[f"{form}:rationale"].strip(), compact(pico) if pico else None,
                                    _opt(s[f"{form}:follow_up"]), new_claim=new_claim,
                                    name=s.get(f"{form}:name") if edit else None)

            submit(form, build, mode="edit" if edit else "add")


def result_form(key: str) -> None:
    """A measured result: measure, value, unit, interval, p-value, what against what, counts or 2×2 table."""
    from kg.curate.operations import MEASURES, P_RELATIONS, EventCounts, Result, TwoByTwo
    from kg.model.namespace import compact

    form = "result"
    fields = ("study", "name", "measure", "value", "unit", "section", "label", "interval", "confidence_level",
              "p_value", "p_value_relation", "index_test", "reference_standard", "target_conditions", "outcome",
              "observer", "group", "compared_with", "events", "two_by_two", "note")
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        s = st.session_state
        st.text_input("Result label", key=f"{form}:label", placeholder="Author year: what was measured")
        field_errors(form, "label")
        st.text_input("Result name (slug)", key=f"{form}:name", placeholder=f"{key}-what-was-measured")
        field_errors(form, "name")
        left, mid, right = st.columns(3)
        left.selectbox("Measure", list(MEASURES), key=f"{form}:measure", index=None, placeholder="choose")
        mid.text_input("Value", key=f"{form}:value", placeholder="e.g. 84.0")
        right.selectbox("Unit", UNIT_CHOICES, key=f"{form}:unit", index=None, placeholder="choose")
        field_errors(form, "measure", "value", "unit")
        left, mid, right = st.columns(3)
        left.text_input("Interval: lower", key=f"{form}:lower")
        mid.text_input("Interval: upper", key=f"{form}:upper")
        right.text_input("Confidence level (%)", key=f"{form}:confidence_level", placeholder="95")
        field_errors(form, "interval", "confidence_level")
        left, right = st.columns([1, 3])
        left.selectbox("p relation", P_RELATIONS, key=f"{form}:p_value_relation", index=None, placeholder="=")
        right.text_input("p-value", key=f"{form}:p_value", placeholder="e.g. 0.001")
        field_errors(form, "p_value", "p_value_relation")
        st.markdown("**What against what** (a diagnostic test, or the groups compared)")
        left, right = st.columns(2)
        with left:
            concept_picker("Index test", f"{form}:index_test", TESTS_AND_TREATMENTS, many=False)
        with right:
            concept_picker("Reference standard", f"{form}:reference_standard", TESTS_AND_TREATMENTS, many=False)
        field_errors(form, "index_test", "reference_standard")
        concept_picker("Target conditions", f"{form}:target_conditions", CONDITIONS)
        field_errors(form, "target_conditions")
        concept_picker("Outcome", f"{form}:outcome", OUTCOMES, many=False)
        field_errors(form, "outcome")
        left, mid, right = st.columns(3)
        left.text_input("Observer", key=f"{form}:observer", placeholder="e.g. reader 1")
        mid.text_input("Group", key=f"{form}:group")
        right.text_input("Compared with", key=f"{form}:compared_with")
        field_errors(form, "observer", "group", "compared_with")
        st.markdown("**Event counts** (where the study gives them)")
        cols = st.columns(4)
        for col, (name, label) in zip(cols, (("events", "Events"), ("total", "In the group"),
                                             ("comparator_events", "Comparator events"),
                                             ("comparator_total", "In the comparator group")), strict=True):
            col.number_input(label, key=f"{form}:{name}", min_value=0, step=1, value=None)
        field_errors(form, "events")
        st.markdown("**2×2 table** (index test against reference standard)")
        cols = st.columns(4)
        for col, (name, label) in zip(cols, (("tp", "True positives"), ("fp", "False positives"),
                                             ("fn", "False negatives"), ("tn", "True negatives")), strict=True):
            col.number_input(label, key=f"{form}:{name}", min_value=0, step=1, value=None)
        field_errors(form, "two_by_two")
        st.text_input("Section of the study", key=f"{form}:section", placeholder="e.g. Abstract (results)")
        field_errors(form, "section")
        st.text_input("Note", key=f"{form}:note")
        field_errors(form, "note")
        edit = st.checkbox("Edit the existing result of this name", key=f"{form}:edit",
                           help="Off: a new result (refused if one of this name exists).")
        if st.form_submit_button("Save the result", type="primary"):

            def build() -> Result:
                lower, upper = _opt(s[f"{form}:lower"]), _opt(s[f"{form}:upper"])
                counts = [s[f"{form}:{n}"] for n in ("events", "total", "comparator_events", "comparator_total")]
                cells = [s[f"{form}:{n}"] for n in ("tp", "fp", "fn", "tn")]
                concept = {n: s[f"{form}:{n}"] for n in ("index_test", "reference_standard", "outcome")}
                return Result(
                    key, s[f"{form}:name"].strip(), s[f"{form}:measure"] or "", s[f"{form}:value"].strip(),
                    s[f"{form}:unit"] or "", s[f"{form}:section"].strip(), _opt(s[f"{form}:label"]),
                    (lower or "", upper or "") if (lower or upper) else None, _opt(s[f"{form}:confidence_level"]),
                    _opt(s[f"{form}:p_value"]), s[f"{form}:p_value_relation"],
                    compact(concept["index_test"]) if concept["index_test"] else None,
                    compact(concept["reference_standard"]) if concept["reference_standard"] else None,
                    _curies(s[f"{form}:target_conditions"]),
                    compact(concept["outcome"]) if concept["outcome"] else None,
                    _opt(s[f"{form}:observer"]), _opt(s[f"{form}:group"]), _opt(s[f"{form}:compared_with"]),
                    EventCounts(*counts) if any(c is not None for c in counts) else None,
                    TwoByTwo(*cells) if any(c is not None for c in cells) else None,
                    _opt(s[f"{form}:note"]))

            submit(form, build, mode="edit" if edit else "add")


def rob_now(key: str, tool: str) -> dict[str, Any]:
    """The risk-of-bias form's fields as the graph holds study `key`'s assessment (when it uses `tool`)."""
    from kg.curate.operations import TOOLS

    rows = resources.query("study_risk_of_bias", {"study": key})
    values: dict[str, Any] = {}
    if rows.empty or text(rows.iloc[0]["tool"]) != tool:
        return values
    labels = [label for label, _ in TOOLS[tool].domains] if tool in TOOLS else []
    for r in rows.itertuples():
        domain = text(r.domain)
        if domain in ("overall", "not applicable"):
            values.update({"rob:overall": text(r.judgement) if domain == "overall" else None,
                           "rob:reason": text(r.reason), "rob:section": text(r.section)})
        elif domain in labels:
            k = labels.index(domain)
            values.update({f"rob:{k}:judgement": text(r.judgement), f"rob:{k}:applicability": text(r.applicability)
                           or None, f"rob:{k}:reason": text(r.reason), f"rob:{k}:section": text(r.section)})
    return values


def rob_form(key: str) -> None:
    """The study's risk of bias with the tool its design calls for: one row per domain of the tool (judgement, for
    QUADAS-2 the applicability concern, reason and section), then the overall judgement; or, where no tool
    applies, the reason why. Saving replaces the study's assessment in section 8."""
    from kg.curate.operations import APPLICABILITY, NOT_APPLICABLE, TOOLS, DomainJudgement, RiskOfBias

    form = "rob"
    kind, design, tool = resources.design_tool(key)
    if tool is None:
        st.info(literal(f"No tool to offer: the study's design is {design or 'not recorded'} ({kind}). Record the "
                        "design first (Design and sample); it decides the tool."), icon=":material/info:")
        return
    found = TOOLS.get(tool)
    domains = found.domains if found else ()
    fields = ("tool", "domains", "overall", "reason", "section", *(f"domains[{k}]" for k in range(len(domains))))
    if st.session_state.get(f"{form}:for") != (key, tool):  # a study opened: start from its current assessment
        st.session_state.update(rob_now(key, tool))
        st.session_state[f"{form}:for"] = (key, tool)
    st.caption(literal(f"The study is a {kind} ({design}): " + (f"its design calls for {tool}." if found else
                       "no risk-of-bias tool of the appraisal applies; say why.")))
    with st.form(f"curate_{form}"):
        general_errors(form, fields)
        field_errors(form, "tool", "domains")
        for k, (label, iri) in enumerate(domains):
            st.markdown(f"**{k + 1}. {literal(label.capitalize())}**")
            left, right = st.columns(2)
            left.selectbox("Risk of bias", found.scale if found else (), key=f"{form}:{k}:judgement", index=None,
                           placeholder="judgement")
            if found is not None and iri in found.applicability:
                right.selectbox("Applicability concern", list(APPLICABILITY), key=f"{form}:{k}:applicability",
                                index=None, placeholder="concern")
            st.text_area("Reason", key=f"{form}:{k}:reason", height=68, placeholder="why, in your words")
            st.text_input("Section", key=f"{form}:{k}:section", placeholder="the part of the record it rests on")
            field_errors(form, f"domains[{k}]")
        if found is not None:
            st.selectbox("Overall risk of bias", found.scale, key=f"{form}:overall", index=None,
                         placeholder="never better than the worst domain")
            field_errors(form, "overall")
        st.text_area("Reason for the overall judgement" if found else "Why no tool applies", key=f"{form}:reason",
                     height=68)
        field_errors(form, "reason")
        st.text_input("Section of the record it rests on", key=f"{form}:section")
        field_errors(form, "section")
        if st.form_submit_button("Save the risk of bias", type="primary"):
            s = st.session_state

            def build() -> Operation:
                judged = tuple(DomainJudgement(label, s.get(f"{form}:{k}:judgement") or "",
                                               _str(s.get(f"{form}:{k}:reason")), _str(s.get(f"{form}:{k}:section")),
                                               s.get(f"{form}:{k}:applicability"))
                               for k, (label, _) in enumerate(domains))
                return RiskOfBias(key, tool or NOT_APPLICABLE, judged, s.get(f"{form}:overall"),
                                  _str(s.get(f"{form}:reason")), _str(s.get(f"{form}:section")))

            submit(form, build, mode="save")


def delete_panel(records: list[tuple[str, str]]) -> None:
    """Pick one of `records` ((IRI, description)), see what refers to it, then delete it."""
    from kg.model.namespace import compact

    form = "delete"
    if not records:
        st.caption("No curated record to delete here.")
        return
    general_errors(form, ())
    shown = dict(records)
    chosen = st.selectbox("Record", list(shown), format_func=lambda i: f"{shown[i]} ({compact(i)})", key=f"{form}:iri",
                          index=None, placeholder="choose the record to delete")
    if chosen is None:
        return
    orphans = resources.orphans(chosen)
    if orphans:
        st.warning(f"Deleting it would orphan {len(orphans)} record{'s' if len(orphans) != 1 else ''} (kg.curate "
                   "refuses a delete that leaves a record pointing at nothing): change or delete them first.",
                   icon=":material/link_off:")
        st.markdown("\n".join(f"- {literal(o)}" for o in orphans))
    else:
        st.caption("Nothing else in the graph depends on it.")
    if st.button("Delete it", key=f"{form}:go", type="primary", icon=":material/delete:"):
        submit(form, lambda: None, delete=chosen)


# ----------------------------------------------------------------------------------------- editing


def loader(form: str, records: dict[str, str], values: Callable[[str], dict[str, Any]]) -> None:
    """"Edit an existing one": choosing one of `records` (IRI -> description) fills the form with its values
    and ticks the form's edit box, so saving rewrites that record."""
    from kg.model.namespace import compact

    key = f"{form}:load"

    def load() -> None:
        iri = st.session_state.get(key)
        if iri:
            st.session_state.update(values(iri))
            st.session_state[f"{form}:edit"] = True

    st.selectbox("Edit an existing one", list(records), format_func=lambda i: f"{records[i]} ({compact(i)})", key=key,
                 index=None, placeholder="or fill the form below for a new one", on_change=load)


def _one(values: dict[str, list[Any]], prop: str) -> Any:
    found = values.get(prop) or [None]
    return found[0]


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _count(value: Any) -> int | None:
    return None if value is None else int(value)


def result_values(iri: str) -> dict[str, Any]:
    """The result form's fields as the graph holds result `iri`."""
    from kg.curate import MEASURES, UNITS
    from kg.curate.operations import P_RELATIONS
    from kg.model.namespace import PREFIXES

    hs, qudt, rdfs = PREFIXES["hs"], PREFIXES["qudt"], PREFIXES["rdfs"]
    v = resources.record_values(iri)
    measures = {m_iri: name for name, m_iri in MEASURES.items()}
    units: dict[str, str] = {}
    for name, u_iri in UNITS.items():
        if name in UNIT_CHOICES:
            units.setdefault(u_iri, name)
    tests = concept_options(TESTS_AND_TREATMENTS)
    conditions, outcomes = concept_options(CONDITIONS), concept_options(OUTCOMES)

    def concept(prop: str, options: dict[str, str]) -> str | None:
        found = _one(v, hs + prop)
        return str(found) if found is not None and str(found) in options else None

    relation = _str(_one(v, hs + "pValueRelation"))
    return {
        "result:name": short_id(iri), "result:label": _str(_one(v, rdfs + "label")),
        "result:measure": next((measures[str(t)] for t in v.get(PREFIXES["rdf"] + "type", []) if str(t) in measures),
                               None),
        "result:value": _str(_one(v, qudt + "value")), "result:unit": units.get(_str(_one(v, qudt + "hasUnit"))),
        "result:lower": _str(_one(v, hs + "lowerBound")), "result:upper": _str(_one(v, hs + "upperBound")),
        "result:confidence_level": _str(_one(v, hs + "confidenceLevel")), "result:p_value": _str(_one(v, hs + "pValue")),
        "result:p_value_relation": relation if relation in P_RELATIONS else None,
        "result:index_test": concept("indexTest", tests), "result:reference_standard": concept("referenceStandard", tests),
        "result:target_conditions": [str(c) for c in v.get(hs + "targetCondition", []) if str(c) in conditions],
        "result:outcome": concept("outcomeMeasure", outcomes), "result:observer": _str(_one(v, hs + "observer")),
        "result:group": _str(_one(v, hs + "group")), "result:compared_with": _str(_one(v, hs + "comparedWith")),
        "result:events": _count(_one(v, hs + "eventCount")), "result:total": _count(_one(v, hs + "groupSize")),
        "result:comparator_events": _count(_one(v, hs + "comparatorEventCount")),
        "result:comparator_total": _count(_one(v, hs + "comparatorGroupSize")),
        "result:tp": _count(_one(v, hs + "truePositives")), "result:fp": _count(_one(v, hs + "falsePositives")),
        "result:fn": _count(_one(v, hs + "falseNegatives")), "result:tn": _count(_one(v, hs + "trueNegatives")),
        "result:section": _str(_one(v, hs + "sourceSection")), "result:note": _str(_one(v, hs + "curationNote")),
    }


def evidence_values(iri: str) -> dict[str, Any]:
    """The evidence-line form's fields as the graph holds line `iri` (on a study's page: the claim is picked)."""
    from kg.curate import STANCES
    from kg.model.namespace import PREFIXES

    hs = PREFIXES["hs"]
    v = resources.record_values(iri)
    stances = {s_iri: name for name, s_iri in STANCES.items()}
    claim = short_id(_one(v, hs + "evidenceFor"))
    pico = _str(_one(v, hs + "pico"))
    return {"evidence:claim_kind": "an existing claim", "evidence:claim_search": claim, "evidence:claim": claim,
            "evidence:stance": stances.get(_str(_one(v, hs + "stance"))),
            "evidence:section": _str(_one(v, hs + "sourceSection")),
            "evidence:rationale": _str(_one(v, hs + "rationale")),
            "evidence:pico": pico if pico in resources.pico_frames() else None,
            "evidence:follow_up": _str(_one(v, hs + "followUp")), "evidence:name": short_id(iri)}


# ----------------------------------------------------------------------------------------- page hooks


def study_panel(key: str, study_iri: str) -> None:
    """Curate mode on a study's page: its design and sample, PICO, evidence lines, results, risk of bias, concepts,
    deletes."""
    if curator() is None:
        return
    from kg.curate.operations import REF

    st.divider()
    st.header("Curate this study")
    show_done()
    tabs = st.tabs(["Design and sample", "PICO frame", "Evidence line", "Measured result", "Risk of bias",
                    "New concept", "Delete"])
    with tabs[0]:
        study_facts_form(key)
    with tabs[1]:
        pico_form(key)
    records = resources.study_records(study_iri)
    with tabs[2]:
        loader("evidence", {str(r["record"]): f"{text(r['label']) or short_id(r['claim'])}" for r in records
                            if r["kind"] == "evidence line"}, evidence_values)
        evidence_form(study=key)
    with tabs[3]:
        loader("result", {str(r["record"]): text(r["label"]) or short_id(r["record"]) for r in records
                          if r["kind"] == "result"}, result_values)
        result_form(key)
    with tabs[4]:
        rob_form(key)
    with tabs[5]:
        new_concept_form()
    with tabs[6]:
        deletable = [(str(r["record"]), f"{r['kind']}: {text(r['label'])}") for r in records]
        deletable.append((REF + key, "study-level facts (design, level, sample size)"))
        delete_panel(deletable)


def claim_panel(slug: str) -> None:
    """Curate mode on a claim's page: a new evidence line for it, and deletes of its lines or the claim."""
    if curator() is None:
        return
    from kg.curate.operations import CLAIM

    st.divider()
    st.header("Curate this claim")
    show_done()
    add, remove = st.tabs(["Evidence line", "Delete"])
    with add:
        evidence_form(claim=slug)
    with remove:
        summary = resources.claim_summary(slug)
        lines = [(study.evidence, f"evidence line: {study.label} ({study.stance})")
                 for study in (*summary.supporters, *summary.contradictors, *summary.qualifiers)]
        lines.append((CLAIM + slug, "the claim itself"))
        delete_panel(lines)

