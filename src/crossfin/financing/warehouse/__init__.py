"""F8 port cloud warehouse: pledged goods released against repayment, revaluation alerts."""
