"""The reader's language, for the few places that choose data rather than translate a text: which
column headers an export or a template list shows, whether stored Chinese text is shown as is."""

from django.utils.translation import get_language


def reads_chinese() -> bool:
    """Whether the active language is Chinese (the default, also when none is active)."""
    return (get_language() or "zh-hans").startswith("zh")
