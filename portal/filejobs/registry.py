"""The kinds of file job, registered by the apps that own the data (in ``AppConfig.ready``), so
that portal, the bottom layer, builds files of upper apps without importing them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# progress(percent, stage): written where the job's page sees it at once.
Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class BuiltFile:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class FileJobKind:
    """``build(params, user, progress)`` makes the file; it raises ``ApplicationError`` with a
    message for the user when the file cannot be made. ``title(params)`` names the job on its page;
    ``back(params)`` is the URL of the page the user came from, named ``back_label``."""

    name: str
    build: Callable[[dict, object, Progress], BuiltFile]
    title: Callable[[dict], str]
    back: Callable[[dict], str]
    back_label: str = ""


_KINDS: dict[str, FileJobKind] = {}


def register(kind: FileJobKind) -> None:
    _KINDS[kind.name] = kind


def kind_get(name: str) -> FileJobKind:
    try:
        return _KINDS[name]
    except KeyError:
        raise LookupError(f"no file job kind {name!r} is registered") from None
