"""The ``%%pseudolabel`` vocabulary: its keys, reading a cell, and resolving its values."""
