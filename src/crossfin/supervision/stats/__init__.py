"""Statistics, the read side: figures of a regulator's subtree, their API, exports, dashboard."""
