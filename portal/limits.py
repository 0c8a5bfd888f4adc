"""Size limits of free text (issue 14, finding 4), in characters, in one place.

Every free-text model field carries its limit both as ``max_length`` (forms and DRF model
serializers refuse longer input with a message naming the limit) and as a validator (the
services' ``full_clean`` refuses it whatever the entry point: form, API, admin, importer). Request
bodies are bounded separately (``REQUEST_BODY_MAX_BYTES``, portal/security.py) and the matching
engine reads at most ``matching.engine.docs.TEXT_MAX`` characters of a field.
"""

from django.core.validators import MaxLengthValidator

TEXT_LONG = 20_000  # abstracts, claims, demand descriptions, project summaries
TEXT_SHORT = 2_000  # notes, fee standards, an organization's description
MESSAGE_MAX = 5_000  # one message of an inquiry thread
IMPORT_CELL_MAX = TEXT_LONG  # any one cell of an imported file


def bounded_text(limit: int) -> dict:
    """``models.TextField(..., **bounded_text(TEXT_LONG))``."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}
