"""Operations: setting a database up, the failover drill, backup and restore (docs/operations.md)."""
