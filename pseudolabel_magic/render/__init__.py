"""Pictures and source text of a run: SVG diagrams, matplotlib plots, ``to_code`` and ``--explain``."""
