"""Writes of the matching app, by area: runs (the engine), inquiries, notifications, events."""
