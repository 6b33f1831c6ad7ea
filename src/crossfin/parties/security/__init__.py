"""Security monitoring: events, operator alerts, per-key rate limits (docs/operations.md).

`events.note_security_event` stores every event, whatever floor reported it (through the
hook in `core/security.py`, which importing `crossfin.parties` fills); `alerts` turns them
into deduplicated operator alerts; `ratelimit` limits each API key per route class across
workers; `routes` and `pages` show it all to the platform operator only.
"""
