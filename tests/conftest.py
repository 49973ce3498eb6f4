"""Fixtures shared by test files: a headless Chromium for pages that must work offline (the
book, the HTML reports), and a fresh Python on the JAX backend for models and losses."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
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


def open_offline(browser: Any, url: str, *, raw_tex: str) -> dict[str, Any]:
    """Open ``url`` with every http(s) and ws(s) request blocked; once MathJax has typeset and
    any widget slider is drawn, count what rendered. ``raw_tex`` is a piece of a formula's
    source that must not be left as text on the page."""
    blocked = ["http://*", "https://*", "ws://*", "wss://*"]
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
    try:
        browser.get(url)
        browser.set_script_timeout(30)
        return browser.execute_async_script(
            """
            const [rawTex, done] = [arguments[0], arguments[arguments.length - 1]];
            const settle = async () => {
              if (document.readyState !== "complete") {
                await new Promise((r) => window.addEventListener("load", r, { once: true }));
              }
              for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup); i++) {
                await new Promise((r) => setTimeout(r, 100));
              }
              if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
              const widgets = document.querySelector("script[type*='widget-view']");
              for (let i = 0; widgets && i < 100 && !document.querySelector(".widget-slider");
                   i++) {
                await new Promise((r) => setTimeout(r, 100));
              }
              return {
                mathRendered: document.querySelectorAll("mjx-container").length,
                rawTex: document.body.innerText.includes(rawTex),
                sliders: document.querySelectorAll(".widget-slider").length,
                images: Array.from(document.images).filter((i) => i.naturalWidth > 0).length,
              };
            };
            settle().then(done, (err) => done({ error: String(err) }));
            """,
            raw_tex,
        )
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


#: XLA's optimisations are what cost time on a CPU, and nothing run on JAX here measures speed.
JAX_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"


def run_on_jax(script: str, *, timeout: int = 600) -> Any:
    """Run ``script`` in a fresh Python with ``KERAS_BACKEND=jax`` and return the JSON it
    prints after ``RESULTS `` (skips the test when jax is not installed)."""
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed (pip install -e '.[dev]' installs it)")
    env = {
        **os.environ,
        "KERAS_BACKEND": "jax",
        "JAX_PLATFORMS": "cpu",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "XLA_FLAGS": JAX_XLA_FLAGS,
    }
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=timeout
    )
    assert run.returncode == 0, run.stderr[-3000:]
    line = next((x for x in run.stdout.splitlines() if x.startswith("RESULTS ")), None)
    assert line is not None, f"the script printed no RESULTS line:\n{run.stdout[-2000:]}"
    return json.loads(line.removeprefix("RESULTS "))
