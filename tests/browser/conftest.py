"""JupyterLab on 127.0.0.1 and headless Chromium (Debian's, driven by Playwright) for browser tests.

The server gets a free port, a random token, its own JUPYTER_* directories and settings
(no news toast, kernel started on open, every cell in the DOM, no autosave) and serves a
*copy* of ``notebooks/``, so the browser can never write into the repository. Both the
server (and with it its kernels) and the browser are stopped in ``finally``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright cannot download browsers here
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True, "windowingMode": "none"},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}
TIMEOUT = 60  # seconds; a busy 2-core machine is slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _need_browser_tools() -> None:
    """Skip locally without Chromium/Playwright/JupyterLab; in CI (``CI`` set) fail instead."""
    missing = [] if os.path.exists(CHROMIUM) else [f"{CHROMIUM} (apt-get install chromium)"]
    for module in ("playwright", "jupyterlab"):
        try:
            __import__(module)
        except ImportError:
            missing.append(f"the {module} package (pip install {module})")
    if not missing:
        return
    message = "browser test needs " + " and ".join(missing)
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def lab(tmp_path_factory, artifacts):
    """(base url, token) of a JupyterLab serving a copy of notebooks/."""
    _need_browser_tools()
    tmp = tmp_path_factory.mktemp("lab")
    root, settings = tmp / "root", tmp / "settings"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings.mkdir()
    (settings / "overrides.json").write_text(json.dumps(OVERRIDES))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp / "cfg"), JUPYTER_DATA_DIR=str(tmp / "data"),
               JUPYTER_RUNTIME_DIR=str(tmp / "rt"), JUPYTERLAB_SETTINGS_DIR=str(tmp / "us"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"), MPLBACKEND="Agg")
    log_path = tmp / "lab.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
             "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
             f"--ServerApp.root_dir={root}", f"--LabApp.app_settings_dir={settings}",
             "--ServerApp.shutdown_no_activity_timeout=600",
             "--LabApp.expose_app_in_browser=True"],  # lets a test run commands and await them
            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.time() + TIMEOUT
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > end:
                    raise RuntimeError("JupyterLab did not start:\n" + log_path.read_text()[-3000:])
                time.sleep(0.5)
        yield url, token
    finally:
        proc.terminate()  # SIGTERM: the server shuts its kernels down first
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        shutil.copy(log_path, artifacts / "lab.log")


@pytest.fixture(scope="session")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)  # fresh temporary profile
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def kernel_ready():
    """``kernel_ready(url, token, path)`` waits for the notebook's kernel (see below)."""
    return wait_kernel_ready


def wait_kernel_ready(url: str, token: str, path: str, timeout: float = TIMEOUT) -> dict:
    """Block until ``path``'s kernel is idle AND the browser's websocket is attached."""
    end = time.time() + timeout
    while time.time() < end:
        with urllib.request.urlopen(f"{url}/api/sessions?token={token}", timeout=5) as r:
            sessions = json.load(r)
        for s in sessions:
            kernel = s.get("kernel") or {}
            if (s.get("path") == path and kernel.get("execution_state") == "idle"
                    and kernel.get("connections", 0) >= 1):
                return kernel
        time.sleep(0.25)
    raise TimeoutError(f"no idle, connected kernel for {path} after {timeout} s")
