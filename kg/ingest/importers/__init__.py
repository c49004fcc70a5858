"""`kg import`: records from reference managers and PubMed into references.bib, deduplicated, never merged.

One reader per format (bibtex_in, ris, csl_json, medline, reflist), each turning a file's text into typed
`Record`s and located `Unreadable`s (record.py); `detect` picks the reader from the content, the file name
only as a hint. `dedupe` finds what a record matches (DOI, PMID, then a fuzzy title, year and first-author
match), `keys` makes new BibTeX keys, `write` the entries, and `run` puts them together into a `Plan`: the
text to append to references.bib and the lines of the import log.
"""
