"""The error services raise for a rule a user broke; views show its message as it is."""


class ApplicationError(Exception):
    def __init__(self, message, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}
