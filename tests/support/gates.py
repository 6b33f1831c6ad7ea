"""The class gates' expected answers: scenario x class x treatment (docs/payments.md)."""

from __future__ import annotations

from crossfin.parties.gates import Treatment

F, C, R = Treatment.FACILITATED, Treatment.CHECKED, Treatment.REFUSED
# The expected answer of every scenario for every class (docs/payments.md, "Class gates").
EXPECTED = {
    ("P1", "A"): F, ("P1", "B"): R, ("P1", "C"): R,
    ("P2", "A"): F, ("P2", "B"): C, ("P2", "C"): R,
    ("P3", "A"): F, ("P3", "B"): C, ("P3", "C"): R,
    ("P4", "A"): F, ("P4", "B"): C, ("P4", "C"): R,
    ("F1", "A"): F, ("F1", "B"): C, ("F1", "C"): R,
    ("F3", "A"): F, ("F3", "B"): C, ("F3", "C"): R,
    ("F4", "A"): F, ("F4", "B"): C, ("F4", "C"): R,
    ("F5", "A"): F, ("F5", "B"): C, ("F5", "C"): R,
    ("F6", "A"): F, ("F6", "B"): C, ("F6", "C"): R,
    ("F7", "A"): F, ("F7", "B"): C, ("F7", "C"): R,
    ("F8", "A"): F, ("F8", "B"): C, ("F8", "C"): R,
}  # fmt: skip
