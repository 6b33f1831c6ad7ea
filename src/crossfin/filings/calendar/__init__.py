"""Official working-day calendars loaded as data: a State Council holiday notice, stored in
the database so that every worker and both engines count with the same days, each loading a
ledger event (which calendar a deadline was counted with can be proved).

`notice.py` reads and checks the CSV format, `store.py` keeps the loaded years and their
ledger events, `cache.py` gives each process the calendar in force, `commands.py` is
`crossfin calendar load FILE` and `crossfin calendar show YEAR`.
"""
