"""End-to-end browser tests (Playwright + Debian Chromium). A package so its test modules may share basenames with tests/."""
