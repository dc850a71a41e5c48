"""Every shipped notebook, run top to bottom in a real JupyterLab page at 1280 px.

What a reader sees, measured in the page: no picture (SVG or image) in an output area is
wider than that output area (a fixed-width diagram would be cut off on the right), and no
finished data-flow diagram shows a "?" count; the ``--explain`` step diagrams, which are
updated as each step ends, show the counts the frames give from step 1 on. A full-page
screenshot of each notebook goes to a temporary directory, printed at the end.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest
from conftest import NOTEBOOKS, TIMEOUT, wait_kernel_ready

pytestmark = pytest.mark.browser

MS = TIMEOUT * 1000
SHOTS = Path(tempfile.mkdtemp(prefix="pl-notebook-shots-"))

#: For every picture in an output area: its width and its output area's (px), and, for the
#: data-flow diagrams, their texts.
MEASURE = """() => [...document.querySelectorAll('.jp-OutputArea-output')].flatMap(out => {
  const box = out.getBoundingClientRect();
  return [...out.querySelectorAll('svg, img')].filter(el => !el.closest('svg svg'))
    .filter(el => el.getBoundingClientRect().width > 0).map(el => {
      const r = el.getBoundingClientRect();
      return {tag: el.tagName, label: el.getAttribute('aria-label') || el.getAttribute('src')?.slice(0, 30) || '',
              left: r.left - box.left, right: r.right - box.right, width: r.width,
              area: box.width, scroll: out.scrollWidth - out.clientWidth,
              texts: el.tagName === 'svg' ? [...el.querySelectorAll('text')].map(t => t.textContent) : []};
    });
})"""


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_every_notebook_runs_and_its_pictures_fit_the_page(lab, browser, name):
    url, token = lab
    start = time.perf_counter()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(MS)
    try:
        page.goto(f"{url}/lab/tree/{name}?reset&token={token}", timeout=MS)
        page.locator(".jp-Notebook").wait_for(state="visible", timeout=MS)
        wait_kernel_ready(url, token, name)
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(
            """() => { const p = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
                       return p.length && p.every(e => /\\[\\d+\\]/.test(e.textContent)); }""",
            timeout=4 * MS)
        wait_kernel_ready(url, token, name)
        page.wait_for_timeout(1000)  # last display updates and widget views
        errors = page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
        tracebacks = [t for t in errors.all_inner_texts() if "Traceback" in t]
        assert not tracebacks, tracebacks[0][:2000]
        pictures = page.evaluate(MEASURE)
        assert pictures, "no picture in any output"
        for p in pictures:
            assert p["right"] <= 1 and p["left"] >= -1 and p["scroll"] <= 1, p
        flows = [p for p in pictures if p["label"].startswith("Pseudo-label flow")]
        assert flows or name == "panel.ipynb"
        for p in flows:
            texts = p["texts"]
            for box in ("Labeled", "Unlabeled"):
                assert texts[texts.index(box) + 1] != "? rows", (p["label"], texts)
            finished = not any(re.search(r"pending|running", t) for t in texts)
            if finished:
                assert not any(re.search(r"(^|\s)\?(\s|$)", t) for t in texts), (p["label"], texts)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    finally:
        print(f"\n{name}: {time.perf_counter() - start:.1f} s; screenshots in {SHOTS}")
        page.close()
