"""Helpers that several test files import: a page opened in Chromium with the network
blocked, and a script run on the JAX backend.

They live here, not in ``conftest.py``: ``pytest`` collects ``notebooks/`` too, whose own
``conftest.py`` would shadow ``from conftest import ...`` (both are imported as the module
``conftest``)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from typing import Any

import pytest


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
    prints after ``RESULTS ``. jax comes with the dev extra: without it the test fails, since
    the JAX backend is part of what the package promises."""
    if importlib.util.find_spec("jax") is None:
        pytest.fail("jax is not installed: pip install -e '.[dev]' installs it")
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
