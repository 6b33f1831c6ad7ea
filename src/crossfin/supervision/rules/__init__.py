"""The alert rules' portal page (the rules themselves live in parties/alert_rules.py)."""
