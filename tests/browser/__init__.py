"""Browser tests of the default theme's scripts (Playwright driving the system Chromium on file://)."""
