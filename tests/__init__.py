"""The test suite. A package, so its modules import shared helpers as `tests.support` (no sys.path changes)."""
