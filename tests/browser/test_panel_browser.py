"""The panel in a real JupyterLab page: choose frames in the page, click Run, see it work.

Proves what the headless tests cannot: the core widgets render (no "Loading widget..."),
clicks in the page reach the Python callbacks, the diagram is redrawn in the page *while*
the run works, and the result lands in the kernel where the next cell sees it.
"""

from __future__ import annotations

import json
import re

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "panel.ipynb"
MS = 60_000  # a busy 2-core machine is slow

# Records every text the status line and the live diagram show, from before the click on.
WATCH = """() => {
  window.__plSeen = {status: [], flow: []};
  const panel = document.querySelector('.pl-panel');
  const note = () => {
    const s = panel.querySelector('.pl-status');
    const f = panel.querySelector('.pl-live-flow');
    if (s) window.__plSeen.status.push(s.innerText);
    if (f) window.__plSeen.flow.push(f.innerText);
  };
  new MutationObserver(note).observe(panel, {subtree: true, childList: true, characterData: true});
}"""


def dropdown(panel, label: str):
    """The <select> of the ipywidgets Dropdown whose description is exactly ``label``."""
    page = panel.page
    field = panel.locator(".widget-dropdown").filter(
        has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))
    return field.locator("select")


def cell(page, text: str):
    return page.locator(".jp-CodeCell").filter(has_text=text)


def test_panel_runs_in_jupyterlab(lab, browser, artifacts, kernel_ready):
    url, token = lab
    page = browser.new_page(viewport={"width": 1280, "height": 1800})
    page.set_default_timeout(MS)
    observed: dict = {}
    try:
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?reset&token={token}", timeout=MS)
        page.locator(".jp-Notebook").wait_for(state="visible", timeout=MS)
        kernel_ready(url, token, NOTEBOOK)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        # the last cell ran (so the in-notebook checks above it passed) and saw no result yet
        page.locator(".jp-OutputArea-output", has_text="no result_from_panel yet").wait_for(timeout=MS)
        assert page.get_by_text("Loading widget").count() == 0
        assert page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")\
            .filter(has_text="Error").count() == 0

        panel = page.locator(".pl-panel")
        assert panel.count() == 1  # the displayed one; the notebook's check panel is not shown
        dropdown(panel, "labeled").select_option(label="labeled_df")
        dropdown(panel, "unlabeled").select_option(label="unlabeled_df")
        dropdown(panel, "teacher").select_option(label="lr_scaled (notebook)")
        save_as = panel.locator(".widget-text").filter(
            has=page.locator("label", has_text=re.compile(r"^save as$"))).locator("input")
        save_as.fill("result_from_panel")
        save_as.press("Tab")
        # the target list followed the labeled frame (a round trip through the kernel)
        page.wait_for_function(
            """() => { const s = [...document.querySelectorAll('.pl-panel .widget-dropdown')]
                 .find(d => d.querySelector('label')?.innerText === 'target')?.querySelector('select');
                 return s && s.options[s.selectedIndex]?.text === 'target'; }""", timeout=MS)
        page.evaluate(WATCH)

        panel.locator("button.pl-run").click()
        panel.locator(".pl-status", has_text="stored as result_from_panel").wait_for(timeout=MS)
        panel.locator(".pl-live-flow svg").wait_for(state="visible", timeout=MS)
        table = panel.locator(".pl-metrics table")
        table.wait_for(state="visible", timeout=MS)
        assert "teacher" in table.inner_text() and "student" in table.inner_text()
        assert panel.locator(".pl-message").inner_text().strip() == ""
        bar = panel.locator(".pl-progress .progress-bar")
        assert "100%" in (bar.get_attribute("style") or "")
        seen = page.evaluate("window.__plSeen")
        observed["status_texts_seen"] = len(seen["status"])
        # live: each step was named while the run worked, and the diagram showed it running
        for number in range(1, 6):
            assert any(f"Step {number}/5" in s for s in seen["status"]), (number, seen["status"][:20])
        assert any("running" in f for f in seen["flow"])
        panel.screenshot(path=str(artifacts / "panel.png"))

        # Code tab: the cell text, and what "Insert cell below" really does in JupyterLab
        panel.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text="Code").click()
        cell_box = panel.locator(".pl-cell textarea")
        cell_box.wait_for(state="visible", timeout=MS)
        assert cell_box.input_value().startswith("%%pseudolabel --save result_from_panel")
        cells_before = page.locator(".jp-Notebook .jp-Cell").count()
        panel.locator("button.pl-insert").click()
        panel.locator(".pl-insert-note", has_text="Queued").wait_for(timeout=MS)
        page.wait_for_timeout(2000)
        observed["cells_before"] = cells_before
        observed["cells_after_insert_click"] = page.locator(".jp-Notebook .jp-Cell").count()
        panel.screenshot(path=str(artifacts / "panel_code_tab.png"))

        # the next cell sees the stored variable
        last = cell(page, 'globals().get("result_from_panel")')
        last.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Control+Enter")  # run in place (Shift+Enter would add a cell)
        out = last.locator(".jp-OutputArea-output", has_text="result_from_panel:")
        out.wait_for(timeout=MS)
        assert "validation accuracy" in out.inner_text()
        page.wait_for_timeout(2000)
        observed["cells_after_next_run"] = page.locator(".jp-Notebook .jp-Cell").count()
        observed["inserted_cell_found"] = cell(page, "%%pseudolabel --save result_from_panel").count()
        # a widget callback is no cell execution: nothing appears at the click; the queued
        # cell arrives with the next execute reply (what the panel's note says)
        assert observed["cells_after_insert_click"] == cells_before
        assert observed["cells_after_next_run"] == cells_before + 1
        assert observed["inserted_cell_found"] == 1
    finally:
        (artifacts / "observed.json").write_text(json.dumps(observed, indent=1))
        page.screenshot(path=str(artifacts / "lab.png"), full_page=True)
        page.close()
