"""Operations: database set-up, the failover drill, backup and restore (docs/operations.md)."""
