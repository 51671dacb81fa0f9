"""Browser tests: Playwright on the system Chromium against a live server."""
