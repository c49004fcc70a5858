"""What a user query may do and what its caller gets back, whichever store runs it.

The errors (one `QueryError` tree the app, the CLI and the endpoint catch), the limits, the result type, the
read-only check and the syntax messages. Every backend applies these (kg.store.embedded through the sandbox and
pool of this package, kg.store.remote over HTTP), so a query is refused, located or stopped the same way on both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.model.terms import cell_to_python, cell_to_term
from kg.query.guard.sandbox import Answer, Evaluation, Status, run_isolated
from kg.query.text import QUERY_FORMS, QueryForm, keywords, leading_keyword

if TYPE_CHECKING:
    import pandas as pd

UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "COPY", "MOVE", "ADD", "WITH"})
_LOCATED = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


class QueryError(Exception):
    """Anything that stops a user query from giving an answer; the app and endpoint catch this one class."""


class QuerySyntaxError(QueryError):
    """The text is not valid SPARQL. `line` and `column` count from 1, as editors do; they are where
    pyoxigraph's parser gave up, which is at or just after the mistake (for a missing term, often the
    next token)."""

    def __init__(self, detail: str, line: int | None = None, column: int | None = None, source_line: str | None = None):
        self.detail = detail
        self.line = line
        self.column = column
        self.source_line = source_line
        where = f"line {line}, column {column}: " if line is not None else ""
        text = f"SPARQL syntax error at {where}{detail}"
        if source_line is not None and column is not None:
            text += f"\n    {source_line}\n    {' ' * (column - 1)}^"
        super().__init__(text)


class ForbiddenQueryError(QueryError):
    """A query this interface will not run: a SPARQL Update, or one that calls a remote SERVICE."""


class QueryTimeoutError(QueryError):
    """The query ran past its time limit and was stopped."""

    def __init__(self, timeout_s: float, elapsed: float):
        self.timeout_s = timeout_s
        self.elapsed = elapsed
        super().__init__(f"the query was stopped after {elapsed:.2f} s: the time limit is {timeout_s:g} s "
                         "(narrow the pattern, add LIMIT, or avoid unconnected triple patterns)")


class QueryFailedError(QueryError):
    """The engine failed while evaluating the query (or the query process died, e.g. out of memory)."""


@dataclass(frozen=True)
class QueryLimits:
    """Limits for one user query. `max_memory_mb` caps the query process's extra address space (Linux only);
    `start_method` picks how the query process starts: 'fork' (shares the loaded graph) or 'subprocess'
    (a fresh interpreter loads a dump); None uses fork where the platform has it."""

    timeout_s: float = 10.0
    max_rows: int = 10_000
    max_memory_mb: int | None = 2048
    start_method: str | None = None


@dataclass
class UserQueryResult:
    """What a user query returned, already capped.

    `rows` hold plain Python values (str, int, float, bool; None when unbound) for tables; `terms` hold the
    same cells as pyoxigraph terms (None when unbound), for serialisers that need datatypes (the HTTP
    endpoint). For CONSTRUCT and DESCRIBE, `rows` are (subject, predicate, object) and `graph_nt` is the
    N-Triples text.
    """

    kind: QueryForm
    columns: list[str]
    rows: list[tuple[Any, ...]]  # the types follow the query's columns
    graph_nt: str | None = None
    truncated: bool = False
    elapsed: float = 0.0
    boolean: bool | None = None
    terms: list[tuple[Any, ...]] = field(default_factory=list, repr=False)

    def dataframe(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame (for ASK: one column 'result')."""
        import pandas as pd

        if self.kind == "ask":
            return pd.DataFrame({"result": [self.boolean]})
        return pd.DataFrame(self.rows, columns=self.columns)


# ------------------------------------------------------------------------------------------- checking

def refuse(text: str) -> str:
    """Refuse updates and SERVICE from the query's words alone (no parsing, no evaluation); return the first
    keyword after the prologue. Raises ForbiddenQueryError."""
    first = leading_keyword(text)
    if first in UPDATE_KEYWORDS:
        raise ForbiddenQueryError(
            f"SPARQL Update ({first}) is not allowed here: the graph is read-only. "
            "Only SELECT, ASK, CONSTRUCT and DESCRIBE queries can be run."
        )
    if "SERVICE" in keywords(text):  # pyoxigraph would make the HTTP request
        raise ForbiddenQueryError("SERVICE (federated queries to other endpoints) is not allowed here: "
                                  "queries run against this graph only.")
    return first


def check_read_only(text: str, *, parse_timeout_s: float = 2.0) -> QueryForm:
    """Check that `text` is one read-only SPARQL query and return its form ('select', 'ask', 'construct',
    'describe').

    Raises ForbiddenQueryError for SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, CREATE, COPY, MOVE,
    ADD) and for SERVICE, and QuerySyntaxError (with line and column) for anything pyoxigraph cannot parse.
    The project prefixes (kg.model.namespace.PREFIXES) count as declared.

    pyoxigraph has no parse-only call: `Store.query` also evaluates, and even over an empty store a few KB
    of VALUES blocks make a cross product that runs for minutes (3 x 300 values: 2 s). So the parse runs
    in a child process too (kg.query.guard.sandbox); one still running after `parse_timeout_s` has parsed (a
    syntax error shows in milliseconds) and is only being evaluated, so it is stopped and the query passes.
    """
    first = refuse(text)
    answer = run_isolated(None, text, timeout_s=parse_timeout_s, max_rows=0, max_memory_mb=QueryLimits().max_memory_mb)
    if answer.status is Status.SYNTAX:
        raise syntax_error(SyntaxError(answer.message), text)
    if first in QUERY_FORMS:
        return QUERY_FORMS[first]
    # Time-out, death or an engine error: parsed; evaluating over no data was what took the time or memory.
    return answer.evaluation.kind if answer.status is Status.OK and answer.evaluation else "select"


def syntax_error(exc: SyntaxError, text: str) -> QuerySyntaxError:
    """pyoxigraph's 'error at L:C: expected …' as a QuerySyntaxError with a readable message."""
    message = str(exc.args[0]) if exc.args else str(exc)
    m = _LOCATED.match(message)
    if not m:
        return QuerySyntaxError(" ".join(message.split()))
    line, column, detail = int(m.group(1)), int(m.group(2)), m.group(3)
    lines = text.splitlines()
    source = lines[line - 1] if 0 < line <= len(lines) else None
    return QuerySyntaxError(_readable(detail), line, column, source)


def _readable(detail: str) -> str:
    """Trim the parser's expectation list: drop Unicode character classes, name the usual mistakes."""
    if "Prefix not found" in detail:
        return ("undeclared prefix: declare it with PREFIX, or use one the graph predeclares "
                "(hs:, c:, claim:, ev:, pf:, res:, char:, disc:, work:, person:, … see docs/MODEL.md)")
    if "variable that is unbound" in detail:
        return "the SELECT names a variable that the GROUP BY does not keep (group by it or aggregate it)"
    detail = re.sub(r"\[[^\]]*(?:\.\.=|\\u\{)[^\]]*\]", "", detail)
    detail = re.sub(r"\[_\]", "", detail)
    detail = re.sub(r"(,\s*)+", ", ", " ".join(detail.split())).strip(" ,")
    return detail or "unexpected text"


# ------------------------------------------------------------------------------------------- answers

def result_of(answer: Answer, text: str, limits: QueryLimits, elapsed: float) -> UserQueryResult:
    """A query process's answer as a UserQueryResult, or the QueryError it stands for."""
    if answer.status is Status.OK and answer.evaluation is not None:
        result = user_result(answer.evaluation)
        result.elapsed = elapsed
        return result
    if answer.status is Status.SYNTAX:
        raise syntax_error(SyntaxError(answer.message), text)
    if answer.status is Status.FORBIDDEN:
        raise ForbiddenQueryError(answer.message)
    if answer.status is Status.TIMEOUT:
        raise QueryTimeoutError(limits.timeout_s, elapsed)
    raise QueryFailedError(answer.message or f"the query process answered {answer.status.value!r}")


def user_result(evaluation: Evaluation) -> UserQueryResult:
    """The cells of an evaluation as rows of plain values and as terms (~50 ms for 10,000 rows of 9 cells)."""
    if evaluation.kind == "ask":
        return UserQueryResult("ask", [], [], boolean=evaluation.boolean)
    rows = [tuple(map(cell_to_python, row)) for row in evaluation.cells]
    terms = [tuple(map(cell_to_term, row)) for row in evaluation.cells]
    return UserQueryResult(evaluation.kind, evaluation.columns, rows, graph_nt=evaluation.ntriples,
                           truncated=evaluation.truncated, terms=terms)
