"""Plain inputs and outputs of the engine (no Django): what a patent and a demand look like to it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

# Deal kinds as stored by patents.Patent.DealKind, with their Chinese labels for the reasons.
DEAL_KINDS: dict[str, str] = {"transfer": "转让", "license": "许可", "equity": "作价入股"}
DEAL_BITS: dict[str, int] = {kind: 1 << i for i, kind in enumerate(DEAL_KINDS)}

# Longest text the engine reads of one field (characters): the forms and the API refuse longer
# text (portal/limits.py), but rows stored before the limits, or written by other paths, must
# not make one match run take minutes and gigabytes (a 9,000,000-character demand did).
TEXT_MAX = 20_000


def _clip(doc, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(doc, name)
        if isinstance(value, str) and len(value) > TEXT_MAX:
            setattr(doc, name, value[:TEXT_MAX])


def deal_mask(kinds: Iterable[str] | None) -> int:
    """Bit mask of the known deal kinds in ``kinds`` (unknown values ignored)."""
    mask = 0
    for kind in kinds or ():
        mask |= DEAL_BITS.get(str(kind).strip().lower(), 0)
    return mask


def _text(value: str | Iterable[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return "；".join(str(v) for v in value if v)


@dataclass
class PatentDoc:
    """A patent as the engine sees it. ``keywords`` may be a string or a list of strings."""

    id: int | str
    application_no: str
    title: str = ""
    abstract: str = ""
    claims: str = ""
    keywords: str | list[str] = ""
    ipc_codes: list[str] = field(default_factory=list)
    industry_codes: list[str] = field(default_factory=list)
    in_force: bool = True
    listed: bool = True
    deal_kinds: set[str] = field(default_factory=set)
    asking_price: Decimal | float | None = None
    dormant: bool = False
    open_license: bool = False
    use_first_pay_later: bool = False
    is_agricultural: bool = False

    def __post_init__(self):
        _clip(self, ("title", "abstract", "claims", "keywords"))

    @property
    def keywords_text(self) -> str:
        return _text(self.keywords)


@dataclass
class DemandDoc:
    """An enterprise's technology demand. ``budget_max`` in the same unit as ``asking_price``."""

    id: int | str
    code: str
    title: str = ""
    description: str = ""
    keywords: str | list[str] = ""
    ipc_hints: list[str] = field(default_factory=list)
    industry_code: str | None = None
    deal_kinds: set[str] = field(default_factory=set)
    budget_max: Decimal | float | None = None
    district_is_county: bool = False

    def __post_init__(self):
        _clip(self, ("title", "description", "keywords"))

    @property
    def keywords_text(self) -> str:
        return _text(self.keywords)


class Match(NamedTuple):
    """One recommended patent for a demand: score in [0, 1], best first, with Chinese reasons.
    (A named tuple: immutable, comparable, cheap to create by the hundred thousand.)"""

    patent_id: int | str
    application_no: str
    score: float
    reasons: tuple[str, ...]
    # The parts the score is made of: ("text", x), ("relevance", x), ("ipc", x), ("industry", x),
    # ("availability", x), ("boost", x); for display and debugging.
    signals: tuple[tuple[str, float], ...] = ()
    # "high" (高度相关) or "possible" (可能相关): see calibration.py.
    tier: str = ""

    def as_dict(self) -> dict:
        """The JSON shape of the `match` command and the API."""
        return {
            "application_no": self.application_no,
            "score": self.score,
            "reasons": list(self.reasons),
            "tier": self.tier,
        }
