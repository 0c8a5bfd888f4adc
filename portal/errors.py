"""The error services raise for a rule a user broke, and how pages read and show a service's
errors (ApplicationError or ValidationError) as they are."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError


class ApplicationError(Exception):
    def __init__(self, message, extra: dict | None = None):
        super().__init__(message)
        self.message = str(message)
        self.extra = extra or {}


def error_messages(error: Exception) -> list[str]:
    """What a service's error says, as a list: an ApplicationError's message, a ValidationError's
    messages (field errors flattened). The one reading of errors for pages that show them."""
    if isinstance(error, ApplicationError):
        return [error.message]
    return list(getattr(error, "messages", None) or [str(error)])


def error_text(error: Exception) -> str:
    """``error_messages`` as one line, for a form's non-field error or a flash message."""
    return " ".join(error_messages(error))


def report_errors(request, error: Exception, form=None) -> None:
    """Show a service's error on the page: a ValidationError's field errors on the form's fields
    where they name one; the rest as the form's non-field error, or as messages without a form. A
    refusal (PermissionDenied) is never shown as a mistake in the form: it goes to the messages."""
    if isinstance(error, ValidationError) and form is not None and hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    if form is not None and not isinstance(error, PermissionDenied):
        form.add_error(None, error_text(error))
        return
    for message in error_messages(error):
        messages.error(request, message)
