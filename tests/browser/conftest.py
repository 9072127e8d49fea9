"""JupyterLab in headless Chromium: one server and one browser for the session, a page per test.

* The server runs ``jupyter lab`` from the project's environment on 127.0.0.1, a free port, with a
  token, ``--allow-root`` when run as root, and the environment the notebook tests use
  (:func:`labs.course.execute.notebook_env`), except that ``LABS_WIDGETS`` is removed: in a
  browser the dashboard must render as widgets, not as the plain table nbval compares.
* It serves a temporary directory; each test copies the notebooks it opens into a folder of its
  own there, so the repository's notebooks are never modified, and no test sees another's edits.
  Jupyter's config, data, runtime, settings and workspace folders are temporary too, so a
  developer's own JupyterLab settings can not change what the tests see.
* Chromium is Debian's (``/usr/bin/chromium``, or ``LABS_CHROMIUM``), driven by Playwright, whose
  wheel carries its driver; nothing is downloaded at test time. Without it every test here is
  skipped with a reason that names the fix (shown in pytest's ``-ra`` summary).
* On failure the test's screenshots (the screen, and the whole notebook) are kept under
  ``tests/browser/artifacts/<test>/`` and their paths printed. ``LABS_BROWSER_ARTIFACTS=always``
  keeps them for passing tests too, to look at what a learner sees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labs.course.execute import notebook_env

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path(os.environ.get("LABS_CHROMIUM", "/usr/bin/chromium"))
SKIP_NO_CHROMIUM = (f"browser tests skipped: no Chromium found at {CHROMIUM}; install Debian's chromium (README "
                    "'Browser tests': apt-get install -y --no-install-recommends chromium fonts-dejavu-core)")
VIEWPORT = {"width": 1280, "height": 900}  # a laptop screen, JupyterLab's default layout
SERVER_START_TIMEOUT = 60
SERVER_STOP_TIMEOUT = 10


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember each phase's report on the test, so the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LabServer:
    """A running ``jupyter lab`` on 127.0.0.1 serving ``root``."""

    def __init__(self, root: Path, state: Path) -> None:
        self.root = root
        self.state = state
        self.port = _free_port()
        self.token = f"browser-tests-{os.getpid()}"
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = state / "jupyter.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._copies = 0

    def env(self) -> dict[str, str]:
        env = notebook_env()
        env.pop("LABS_WIDGETS", None)  # real widgets in a browser, never the plain table
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                     "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
            env[name] = str(self.state / name.lower())
            Path(env[name]).mkdir(parents=True, exist_ok=True)
        # The answer a learner gives to "Would you like to get notified about official Jupyter
        # news?": no (the toast would cover outputs, and asking a news feed needs the internet).
        notification = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab/apputils-extension"
        notification.mkdir(parents=True, exist_ok=True)
        (notification / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        return env

    def start(self) -> None:
        jupyter = Path(sys.executable).parent / "jupyter"
        command = [str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                   f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root}",
                   "--ServerApp.port_retries=0", "--LabApp.news_url=None",
                   # a safety net should this process die without its teardown: an idle server ends itself
                   "--ServerApp.shutdown_no_activity_timeout=900",
                   "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        if os.geteuid() == 0:  # containers and CI run as root; Jupyter refuses that unless told
            command.append("--allow-root")
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(command, cwd=self.root, env=self.env(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, timeout: float = 10) -> Any:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def copy(self, notebook: Path) -> str:
        """Copy a repository notebook into a folder of its own under the server's root; returns
        its path as the server names it (``t3/solutions/01-sqs-orders.ipynb``)."""
        self._copies += 1
        relative = notebook.resolve().relative_to(ROOT)
        target = self.root / f"t{self._copies}" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, target)
        return target.relative_to(self.root).as_posix()

    def shut_down_kernels(self) -> None:
        """Stop every kernel (each test opens one; a lab's kernel keeps its emulator in memory)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}")
        except (OSError, ValueError):
            pass

    def stop(self) -> None:
        """Always ends the server and its kernels: the API's shutdown first (it stops the kernels
        cleanly), then SIGTERM, then SIGKILL to its process group, each after a bounded wait."""
        if self.proc is None:
            return
        self.shut_down_kernels()
        try:
            self.api("POST", "/api/shutdown", timeout=5)
        except (OSError, ValueError):
            pass
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.killpg(self.proc.pid, sig)
                except ProcessLookupError:
                    break
            try:
                self.proc.wait(timeout=SERVER_STOP_TIMEOUT)
                break
            except subprocess.TimeoutExpired:
                continue
        self._kill_own_kernels()

    def _kill_own_kernels(self) -> None:
        """Kernels run in sessions of their own; one left behind by a killed server is found by its
        connection file, which lies in this server's own runtime folder, and ended by its pid."""
        runtime = str(self.state / "jupyter_runtime_dir")
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "ipykernel" in cmdline and runtime in cmdline:
                try:
                    os.kill(int(proc.name), signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(SKIP_NO_CHROMIUM)
    return CHROMIUM


@pytest.fixture(scope="session")
def lab_server(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    base = tmp_path_factory.mktemp("jupyterlab")
    (base / "root").mkdir()
    (base / "state").mkdir()
    server = LabServer(base / "root", base / "state")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser(chromium: Path) -> Iterator[Any]:
    pytest.importorskip("playwright.sync_api", reason="browser tests skipped: Playwright is not installed "
                        "(make install puts it into .venv with the test tools)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Debian's Chromium as root needs no sandbox flag from us: Playwright passes --no-sandbox.
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=["--disable-dev-shm-usage", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def _artefact_dir(item: pytest.Item) -> Path:
    return ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name).strip("_")


@pytest.fixture
def lab_page(request: pytest.FixtureRequest, lab_server: LabServer, browser: Any) -> Iterator[Any]:
    """A fresh browser context (no stored state) on the server; screenshots kept on failure."""
    from lab_ui import LabPage

    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    context.set_default_timeout(30_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    lab = LabPage(page, lab_server.url, lab_server.token, artefacts=_artefact_dir(request.node), console=console)
    shutil.rmtree(lab.artefacts, ignore_errors=True)
    try:
        yield lab
    finally:
        report = getattr(request.node, "rep_call", None)
        failed = report is None or report.failed
        keep = failed or os.environ.get("LABS_BROWSER_ARTIFACTS") == "always"
        if keep:
            try:
                lab.screenshot(lab.artefacts / "screen.png")
                lab.screenshot_notebook(lab.artefacts / "notebook.png")
                (lab.artefacts / "console.txt").write_text("\n".join(console) + "\n")
                (lab.artefacts / "jupyter.log").write_text(lab_server.log_tail(200) + "\n")
            except Exception as err:  # the page may be gone; keep what we have
                print(f"(could not take every screenshot: {err})")
            print(f"\nbrowser test artefacts: {lab.artefacts}")
            if failed:
                sys.stderr.write(f"\nscreenshots of the failed browser test: {lab.artefacts}\n")
        else:
            shutil.rmtree(lab.artefacts, ignore_errors=True)
            try:
                ARTIFACTS.rmdir()  # only if no other test kept anything there
            except OSError:
                pass
        context.close()
        lab_server.shut_down_kernels()
