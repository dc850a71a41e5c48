"""Every shipped notebook, run top to bottom in a real JupyterLab page at 1280 px.

What a reader sees, measured in the page: no picture (SVG or image) in an output area is
wider than that output area (a fixed-width diagram would be cut off on the right), and no
finished data-flow diagram shows a "?" count; the ``--explain`` step diagrams, which are
updated as each step ends, show the counts the frames give from step 1 on. The notebooks
that run a cross-fitted recipe (quickstart, classroom) show the verdict sentence.

Screenshots: each output area that holds a picture (the data-flow diagrams, the firewall,
charts) is saved as its own PNG, ``<notebook>-<nn>-<picture>.png``, in a temporary
directory whose path the test prints; when a check fails, a screenshot of the page and its
HTML are added there.
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

#: The notebooks whose outputs must carry the verdict sentence (``result.verdict``).
WITH_VERDICT = {"quickstart.ipynb", "classroom.ipynb"}
VERDICT = re.compile(r"(pseudo-labelling helped|pseudo-labelling hurt|no measurable difference): "
                     r"[^\n]* on [\d,]+ (out-of-fold|validation) rows?")

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


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:50] or "picture"


def save_picture_outputs(page, name: str) -> list[Path]:
    """One PNG per output area that holds a visible picture (element screenshots)."""
    stem, saved = Path(name).stem, []
    outputs = page.locator(".jp-OutputArea-output").filter(
        has=page.locator("svg[aria-label], img"))
    # an output taller than the notebook's scrolling panel would be cut at its edge: make
    # the window tall enough for the tallest (the width, and so the layout, stays)
    tallest = max((b["height"] for b in (outputs.nth(i).bounding_box() for i in range(outputs.count()))
                   if b), default=0)
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": int(min(max(900, tallest + 400), 6000))})
    for i in range(outputs.count()):
        out = outputs.nth(i)
        if out.bounding_box() is None or not out.is_visible():
            continue
        label = out.locator("svg[aria-label]").first.get_attribute("aria-label") \
            if out.locator("svg[aria-label]").count() else "image"
        path = SHOTS / f"{stem}-{i + 1:02d}-{_slug(label)}.png"
        out.screenshot(path=str(path))
        saved.append(path)
    return saved


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")))
def test_every_notebook_runs_and_its_pictures_fit_the_page(lab, browser, name):
    url, token = lab
    start = time.perf_counter()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(MS)
    saved: list[Path] = []
    passed = False
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
        if name in WITH_VERDICT:
            shown = "\n".join(page.locator(".jp-OutputArea-output").all_inner_texts())
            assert VERDICT.search(shown), f"no verdict sentence in {name}'s outputs"
        saved = save_picture_outputs(page, name)
        assert saved, "no output area with a picture to screenshot"
        passed = True
    finally:
        if not passed:
            page.screenshot(path=str(SHOTS / f"{Path(name).stem}-page-at-failure.png"))
            (SHOTS / f"{Path(name).stem}-page-at-failure.html").write_text(page.content())
        print(f"\n{name}: {time.perf_counter() - start:.1f} s; {len(saved)} output screenshots "
              f"in {SHOTS}: {', '.join(p.name for p in saved)}")
        page.close()
