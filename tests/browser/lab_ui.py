"""JupyterLab as a learner uses it, driven through Playwright: open a notebook, Run > Run All Cells,
wait for the kernel, and read back what the page shows.

Everything here waits for a condition in the page (a selector, a prompt, the kernel status) with a
bounded timeout; nothing sleeps blindly. What it reads is the rendered DOM, not the notebook file,
so a widget that did not render or a traceback is seen as the learner sees it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

#: The notebook in the active tab (a workspace of its own per test, so there is only one).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# One walk over the notebook's cells in the DOM: prompt, and each output's mime type and text.
# textContent, not innerText: cells off screen are skipped by content-visibility, innerText would
# depend on layout.
_READ_CELLS = r"""(panel) => [...document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')].map((cell, index) => ({
  index,
  code: cell.classList.contains('jp-CodeCell'),
  prompt: (cell.querySelector('.jp-InputArea-prompt')?.textContent ?? '').trim(),
  source: [...cell.querySelectorAll('.cm-content .cm-line')].map(l => l.textContent).join('\n'),
  outputs: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => ({
    mime: o.dataset.mimeType ?? null,
    text: o.textContent ?? '',
    widget: o.querySelector(':scope > .jupyter-widgets, :scope > .lm-Widget > .jupyter-widgets') !== null
            || o.classList.contains('jupyter-widgets'),
  })),
}))"""


@dataclass
class Output:
    mime: str | None
    text: str
    widget: bool


@dataclass
class Cell:
    index: int
    code: bool
    prompt: str
    source: str
    outputs: list[Output] = field(default_factory=list)

    @property
    def executed(self) -> bool:
        return re.fullmatch(r"\[\d+\]:", self.prompt) is not None


class LabPage:
    """One JupyterLab tab in Chromium showing one notebook."""

    def __init__(self, page: Page, base_url: str, token: str, artefacts: Path, console: list[str]) -> None:
        self.page = page
        self.base_url = base_url
        self.token = token
        #: where this test's screenshots go (kept when it fails)
        self.artefacts = artefacts
        #: the page's JavaScript errors and console errors, as they happened
        self.console = console

    # ------------------------------------------------------------------ opening
    def open(self, path: str, workspace: str, timeout: float = 60) -> None:
        """Open ``path`` (relative to the server's root) in a workspace of its own, and wait until
        its kernel is idle. A fresh workspace, or JupyterLab would reopen the previous test's tabs."""
        self.page.goto(f"{self.base_url}/lab/workspaces/{workspace}/tree/{path}?token={self.token}",
                       timeout=timeout * 1000)
        self.page.wait_for_selector(f"{PANEL} .jp-Notebook .jp-Cell", timeout=timeout * 1000)
        self.wait_for_kernel_idle(timeout)

    def wait_for_kernel_idle(self, timeout: float = 60) -> None:
        """The status bar says "Python 3 (ipykernel) | Idle" once the kernel has started and is idle."""
        self.page.wait_for_function(
            """() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                       .some(e => /\\|\\s*Idle\\s*$/.test(e.textContent))""", timeout=timeout * 1000)

    # ------------------------------------------------------------------ menus
    def menu(self, menu: str, command: str) -> None:
        """Click a top menu ("Run") and then one of its items, found by its JupyterLab command id
        (``runmenu:run-all`` is "Run All Cells"), as a learner would with the mouse."""
        self.page.locator("#jp-menu-panel .lm-MenuBar-item", has_text=re.compile(f"^{menu}$")).click()
        item = self.page.locator(f".lm-Menu:not(.lm-mod-hidden) li.lm-Menu-item[data-command='{command}']")
        item.first.wait_for(state="visible", timeout=10_000)
        item.first.click()

    def clear_all_outputs(self) -> None:
        """Edit > Clear Outputs of All Cells, then wait until no cell has an output or a count left
        (a solution notebook opens with its stored outputs; they must not be mistaken for new ones)."""
        self.menu("Edit", "editmenu:clear-all")
        self.page.wait_for_function(
            """(panel) => ![...document.querySelectorAll(panel + ' .jp-CodeCell')].some(c =>
                   c.querySelector('.jp-OutputArea-output') || /\\d/.test(
                       c.querySelector('.jp-InputArea-prompt')?.textContent ?? ''))""", arg=PANEL, timeout=10_000)

    def run_all(self, timeout: float = 150) -> list[Cell]:
        """Run > Run All Cells, then wait until no cell is queued or running ("[*]") and the kernel is
        idle. Returns the cells as then shown. A cell that raised stops the run: the cells after it
        keep an empty prompt, which the caller sees in the returned cells."""
        return self._run(lambda: self.menu("Run", "runmenu:run-all"), timeout)

    def run_all_above(self, cell_index: int, timeout: float = 150) -> list[Cell]:
        """Select a cell, then Run > Run All Above Selected Cell."""
        self.select(cell_index)
        return self._run(lambda: self.menu("Run", "notebook:run-all-above"), timeout)

    def run_from(self, cell_index: int, timeout: float = 150) -> list[Cell]:
        """Select a cell, then Run > Run Selected Cell and All Below (JupyterLab disables that item on
        the last cell; there it is Run > Run Selected Cell and Do not Advance)."""
        self.select(cell_index)
        last = cell_index == len(self.cells()) - 1
        return self._run(lambda: self.menu("Run", "notebook:run-cell" if last else "notebook:run-all-below"),
                         timeout)

    def run_cell(self, index: int, timeout: float = 60) -> Cell:
        """Select a cell and press Ctrl+Enter (run it, stay on it)."""
        self.select(index)
        return self._run(lambda: self.page.keyboard.press("Control+Enter"), timeout)[index]

    def _run(self, start: Any, timeout: float) -> list[Cell]:
        """Start a run, then wait until it is over: a cell has a count above every count shown before
        (so a finished earlier run is not taken for this one), no cell is queued or running ("[*]"),
        and the kernel is idle. Then wait for the widgets to come."""
        counts = [int(n) for c in self.cells() for n in re.findall(r"\d+", c.prompt)]
        start()
        self.page.wait_for_function(
            r"""([panel, before]) => {
                 const prompts = [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputArea-prompt')]
                                   .map(p => p.textContent.trim());
                 const status = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator')?.dataset.status;
                 return prompts.some(p => Number((p.match(/\d+/) ?? ['0'])[0]) > before)
                        && !prompts.some(p => p.includes('*')) && status === 'idle';
               }""", arg=[PANEL, max(counts, default=0)], timeout=timeout * 1000, polling=200)
        self.wait_for_widgets()
        return self.cells()

    # ------------------------------------------------------------------ cells
    def cell(self, index: int) -> Locator:
        return self.page.locator(f"{PANEL} .jp-Notebook .jp-Cell").nth(index)

    def select(self, index: int) -> None:
        """Click a cell's prompt area: selects it in command mode, without entering its editor."""
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        self.page.wait_for_function(
            "([panel, i]) => document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')[i]"
            "?.classList.contains('jp-mod-active')", arg=[PANEL, index], timeout=10_000)

    def replace_source(self, index: int, text: str) -> None:
        """Type ``text`` into a cell in place of what it holds, as a learner does: click into its
        editor, select all, type (inserted as one edit, so auto-closing brackets do not double up)."""
        editor = self.cell(index).locator(".cm-content")
        editor.scroll_into_view_if_needed()
        editor.click()
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")  # back to command mode
        self.page.wait_for_function(
            "([panel, i, text]) => document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')[i]"
            "?.querySelector('.cm-content')?.innerText.trim() === text.trim()", arg=[PANEL, index, text],
            timeout=10_000)

    def insert_cell_below(self, index: int, text: str) -> int:
        """Select cell ``index``, press B (insert a cell below), type ``text``; returns the new index."""
        self.select(index)
        self.page.keyboard.press("b")
        self.page.wait_for_function(
            "([panel, i]) => document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell')[i]"
            "?.classList.contains('jp-mod-active')", arg=[PANEL, index + 1], timeout=10_000)
        self.replace_source(index + 1, text)
        return index + 1

    def wait_for_widgets(self, timeout: float = 10) -> bool:
        """Wait until no output says "Loading widget..." (a widget view waits for its model; one
        whose model never comes says so for ever). False if some still do after ``timeout``."""
        try:
            self.page.wait_for_function(
                "(panel) => ![...document.querySelectorAll(panel + ' .jp-OutputArea-output')]"
                ".some(o => o.textContent.includes('Loading widget...'))", arg=PANEL, timeout=timeout * 1000)
            return True
        except PlaywrightTimeoutError:
            return False

    def cells(self) -> list[Cell]:
        raw: list[dict[str, Any]] = self.page.evaluate(_READ_CELLS, PANEL)
        return [Cell(index=c["index"], code=c["code"], prompt=c["prompt"], source=c["source"],
                     outputs=[Output(**o) for o in c["outputs"]]) for c in raw]

    # ------------------------------------------------------------------ pictures
    def screenshot(self, path: Path) -> Path:
        """What the learner sees now: the browser's viewport."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path))
        return path

    def screenshot_notebook(self, path: Path, max_height: int = 20_000) -> Path:
        """The whole notebook in one picture: the viewport is made as tall as the notebook's cells for
        the shot (JupyterLab scrolls inside a panel, so a "full page" shot would show one screen).
        Off-screen cells have estimated heights until they are drawn, so it grows until it fits."""
        path.parent.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size or {"width": 1280, "height": 900}
        height = size["height"]
        try:
            for _ in range(6):
                missing = self.page.evaluate(_CELLS_BELOW, PANEL)
                if missing <= 1 or height >= max_height:
                    break
                height = int(min(max_height, height + missing))
                self.page.set_viewport_size({"width": size["width"], "height": height})
                self.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path


# How many pixels of the notebook's cells lie below the visible part of its scrolling panel, the
# panel scrolled to the top (so after a resize the cells are measured from their start).
_CELLS_BELOW = """(panel) => {
  const scroller = document.querySelector(panel + ' .jp-WindowedPanel-outer');
  const cells = document.querySelectorAll(panel + ' .jp-Notebook .jp-Cell');
  if (!scroller || !cells.length) return 0;
  scroller.scrollTop = 0;
  const last = cells[cells.length - 1].getBoundingClientRect().bottom;
  return Math.ceil(last - scroller.getBoundingClientRect().bottom) + 16;
}"""
