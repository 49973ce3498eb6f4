"""Fixtures shared by test files: a headless Chromium for pages that must work offline (the
book, the HTML reports). Helpers test files import (``open_offline``, ``run_on_jax``) are in
``support.py``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

INSTALL = "Chromium not installed: apt-get install chromium chromium-driver"

# The course's tests are strict: a notebook's claim that does not hold fails its run (nbval
# kernels and `imgcourse run` subprocesses inherit this). A test that wants a learner's run
# sets IMGCOURSE_STRICT=0 itself (the full-profile fixture runs do).
os.environ.setdefault("IMGCOURSE_STRICT", "1")


def missing_browser(reason: str) -> None:
    if os.environ.get("IMGCOURSE_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (IMGCOURSE_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        missing_browser(INSTALL)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing_browser("selenium not installed: pip install -e '.[book]'")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
