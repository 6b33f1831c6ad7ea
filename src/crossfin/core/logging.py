"""Structured JSON logs carrying the request id; secrets never reach a log line."""

from __future__ import annotations

import json
import logging
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

# API keys and bearer tokens are scrubbed from every message, whoever logs them.
_SECRET = re.compile(r"(cf_[0-9a-f]{1,16}_)[A-Za-z0-9_\-]+|(Bearer\s+)\S+|(://[^:/@]+:)[^@]+@")


def scrub(text: str) -> str:
    """Replace API key secrets, bearer tokens and URL passwords with ***."""

    def _mask(m: re.Match[str]) -> str:
        prefix = m.group(1) or m.group(2)
        if prefix:
            return prefix + "***"
        return m.group(3) + "***@"

    return _SECRET.sub(_mask, text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        rid = request_id_var.get()
        if rid:
            entry["request_id"] = rid
        for key in ("correlation_id", "method", "path", "status", "duration_ms", "org"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO") -> None:
    """Send JSON lines to stderr; idempotent."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level)
