"""Format adapters: public document standards mapped into the registry's kinds."""


class AdapterError(ValueError):
    """The input cannot be mapped: names where (in the source format) and why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason
