"""One version of one scenario's caps; a version, once loaded, never changes."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossfin.core.db import Base, UTCDateTime


class ScenarioCaps(Base):
    __tablename__ = "scenario_caps"
    __table_args__ = (
        UniqueConstraint("scenario", "version", name="uq_scenario_caps_scenario_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scenario: Mapped[str] = mapped_column(String(8), index=True)
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    # Canonical JSON of the scenario's params (schemas.py) and its SHA-256 (hex).
    params: Mapped[str] = mapped_column(Text)
    params_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
