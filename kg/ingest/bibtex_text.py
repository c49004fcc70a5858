"""Text as BibTeX: LaTeX-encoding a value, writing a name, and the writer format of data/references.bib.

The inverse of kg.ingest.latex and kg.ingest.bibtex's name splitting, shared by the exporter (kg.export.bibtex)
and the importer (kg.ingest.importers), so a value either writes reads back as the same text.
"""
from __future__ import annotations

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares.enclosing import AddEnclosingMiddleware
from bibtexparser.model import Block
from bibtexparser.writer import BibtexFormat

from kg.ingest.bibtex import split_names
from kg.ingest.latex import decode_latex

_LATEX_SPECIALS = {"&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
                   "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}"}


def latex(value: str) -> str:
    """Text as BibTeX/LaTeX that kg.ingest.latex.decode_latex turns back into exactly the same text.

    Specials (& % $ # _ { } ~ ^ backslash) are escaped and accented letters written as LaTeX accents; if
    that encoding would not decode back to the same text, the plain text is kept when it survives decoding
    as it is.
    """
    from pylatexenc.latexencode import unicode_to_latex

    parts = []
    for ch in value:
        if ch in _LATEX_SPECIALS:
            parts.append(_LATEX_SPECIALS[ch])
        elif ord(ch) > 127:
            encoded = unicode_to_latex(ch, non_ascii_only=True, unknown_char_policy="keep")
            encoded = encoded.strip()
            parts.append("{" + encoded + "}" if encoded != ch and decode_latex("{" + encoded + "}") == ch else ch)
        else:
            parts.append(ch)
    encoded = "".join(parts)
    if decode_latex(encoded) == value:
        return encoded
    return value if decode_latex(value) == value else encoded


def bibtex_name(family: str, given: str | None, printed: str | None = None) -> str:
    """One name of a name list as BibTeX: the printed form ('van Beethoven, Ludwig'), LaTeX-encoded, with the
    family name braced when BibTeX would otherwise read it as something else ('{Barnes and Noble}')."""
    printed = printed or (f"{family}, {given}" if given else family)
    text = latex(printed)
    if [n.printed for n in split_names(text)] == [printed]:
        return text
    rest = printed[len(family):] if printed.startswith(family) else None
    if rest is not None and (not rest or rest.startswith(", ")):
        return "{" + latex(family) + "}" + latex(rest)
    return "{" + text + "}"


def write_blocks(blocks: list[Block], value_column: int) -> str:
    """bibtexparser's writer as data/references.bib is written: values in braces, two-space indent, values
    aligned at `value_column`, one blank line between entries. The middleware may change `blocks` in place."""
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]  # bibtexparser leaves BibtexFormat.__init__ unannotated
    fmt.indent = "  "
    fmt.value_column = value_column
    fmt.block_separator = "\n"  # each block already ends with a newline: one blank line between entries
    braces = AddEnclosingMiddleware(reuse_previous_enclosing=False, enclose_integers=True, default_enclosing="{")
    return write_string(Library(blocks), unparse_stack=[braces], bibtex_format=fmt)
