"""Time of ``import pseudolabel_magic`` alone, and with ``%load_ext`` beyond importing IPython.

Each measurement runs in a fresh interpreter, so nothing is cached in memory; the figure is
the median over several runs. Usage::

    python benchmarks/import_time.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import time
t0 = time.perf_counter()
from IPython.testing.globalipapp import get_ipython
ip = get_ipython()
t1 = time.perf_counter()
import sys
before = set(sys.modules)
import pseudolabel_magic
ip.run_line_magic("load_ext", "pseudolabel_magic")
t2 = time.perf_counter()
heavy = [m for m in ("pandas", "sklearn", "matplotlib", "ipywidgets")
         if m in sys.modules and m not in before]
print(t1 - t0, t2 - t1, ",".join(heavy))
"""


BARE = """
import sys, time
t0 = time.perf_counter()
import pseudolabel_magic
t1 = time.perf_counter()
heavy = [m for m in ("numpy", "pandas", "sklearn", "matplotlib", "IPython", "ipywidgets")
         if m in sys.modules]
print(t1 - t0, ",".join(heavy))
"""


def measure_bare(repeat: int) -> tuple[float, set]:
    """``import pseudolabel_magic`` in a fresh interpreter (the budget: 50 ms)."""
    times, heavy = [], set()
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", BARE], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        times.append(float(out[0]))
        heavy.update(filter(None, (out[1] if len(out) > 1 else "").split(",")))
    return statistics.median(times), heavy


def measure(repeat: int) -> tuple[float, float, set]:
    ipython, extension, heavy = [], [], set()
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                             check=True, cwd=ROOT).stdout.split()
        ipython.append(float(out[0]))
        extension.append(float(out[1]))
        heavy.update(filter(None, (out[2] if len(out) > 2 else "").split(",")))
    return statistics.median(ipython), statistics.median(extension), heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="fresh interpreters to time")
    args = parser.parse_args()
    bare, bare_heavy = measure_bare(args.repeat)
    ipython, extension, heavy = measure(args.repeat)
    print(f"import pseudolabel_magic alone:         {bare * 1000:7.1f} ms (median of {args.repeat}; "
          f"budget 50 ms; loads {', '.join(sorted(bare_heavy)) or 'nothing heavy'})")
    print(f"import IPython + shell:                 {ipython * 1000:7.1f} ms (median of {args.repeat})")
    print(f"import pseudolabel_magic + %load_ext:   {extension * 1000:7.1f} ms (budget 300 ms)")
    print(f"heavy modules loaded by the extension:  {', '.join(sorted(heavy)) or 'none'}")
    if extension >= 0.3 or heavy or bare >= 0.05 or bare_heavy:
        sys.exit(1)


if __name__ == "__main__":
    main()
