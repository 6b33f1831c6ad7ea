"""Statistics filings (对外金融资产负债及交易统计) on the generic workflow: uploads, period
continuity, the per-cell report, the deadline from the period's end with its lock and
late corrections, and reminders (docs/filings.md, "Statistics filing")."""
