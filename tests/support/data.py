"""The repository's own test data (tests/data), the only files outside the code a test reads."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
