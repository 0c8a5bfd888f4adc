"""Inventory: derived fields, create, edit, delete."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import Industry, Organization
from portal.permissions import Actor

from .. import permissions
from ..identifiers import ApplicationNumber, expiry_date, parse_application_no
from ..ipc import known_subclass, split_ipc, split_ipc_list
from ..models import Patent, PatentIpc
from ..search import (
    build_search_bigram_codes,
    build_search_body_end,
    build_search_head,
    build_search_latin,
    build_search_tail,
    build_search_text,
)
from ._shared import EDITABLE_FIELDS, _require, _withdraw

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Derived fields
# ---------------------------------------------------------------------------------------------


def normalize_ipc_codes(value: str | Iterable[str]) -> list[str]:
    """Canonical codes, main first, duplicates dropped; ValidationError names the bad code."""
    raw = split_ipc_list(value) if isinstance(value, str) else [str(v) for v in value if str(v).strip()]
    codes: list[str] = []
    for item in raw:
        code = split_ipc(item.strip())
        if not known_subclass(code.subclass):
            raise ValidationError(
                _("IPC 分类号“%(value)s”中的小类 %(subclass)s 不存在。"),
                code="unknown_subclass",
                params={"value": item, "subclass": code.subclass},
            )
        if code.code not in codes:
            codes.append(code.code)
    return codes


def compute_dormant(patent: Patent, today: datetime.date | None = None) -> bool:
    """沉睡专利: granted, in force, not implemented, never transferred or licensed."""
    today = today or timezone.localdate()
    return (
        patent.legal_status == Patent.LegalStatus.GRANTED
        and (patent.expiry_date is None or patent.expiry_date >= today)
        and not patent.implemented
        and not patent.transfer_count
        and not patent.license_count
        and patent.last_transferred_on is None
        and patent.last_licensed_on is None
    )


def patent_derive(
    patent: Patent, *, today: datetime.date | None = None, number: ApplicationNumber | None = None
) -> Patent:
    """Fill the fields computed from others (in memory): canonical number, type, expiry, main
    IPC, dormant and the search columns. Used by the services and the bulk importer alike (which
    passes the ``number`` it already parsed)."""
    number = number or parse_application_no(patent.application_no)
    patent.application_no = number.canonical
    patent.patent_type = number.patent_type
    patent.expiry_date = expiry_date(patent.patent_type, patent.application_date)
    codes = patent.ipc_list
    patent.ipc_main = codes[0] if codes else ""
    patent.dormant = compute_dormant(patent, today)
    patent.search_text = build_search_text(
        patent.title,
        patent.keywords,
        patent.abstract,
        patent.applicants,
        patent.application_no,
        " ".join(codes),
    )
    patent.search_latin = build_search_latin(patent.search_text)
    patent.search_bigram_codes = build_search_bigram_codes(patent.search_text)
    patent.search_head = build_search_head(patent.title, patent.keywords)
    patent.search_tail = build_search_tail(patent.applicants, patent.application_no, " ".join(codes))
    patent.search_body_end = build_search_body_end(patent.title, patent.keywords, patent.abstract)
    return patent


def ipc_values(patent: Patent) -> list[tuple[str, str, str, str, str, bool]]:
    """(code, section, class, subclass, main group, is main) of each of the patent's IPC codes."""
    values = []
    for position, code in enumerate(patent.ipc_list):
        parsed = split_ipc(code)
        values.append(
            (parsed.code, parsed.section, parsed.klass, parsed.subclass, parsed.main_group, position == 0)
        )
    return values


def ipc_rows(patent: Patent) -> list[PatentIpc]:
    return [
        PatentIpc(
            patent=patent,
            code=code,
            section=section,
            klass=klass,
            subclass=subclass,
            main_group=main_group,
            is_main=is_main,
        )
        for code, section, klass, subclass, main_group, is_main in ipc_values(patent)
    ]


def _sync_ipc(patent: Patent) -> None:
    PatentIpc.objects.filter(patent=patent).delete()
    PatentIpc.objects.bulk_create(ipc_rows(patent))


def _clean_fields(fields: dict) -> dict:
    unknown = set(fields) - EDITABLE_FIELDS - {"industries"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "ipc_codes" in fields:
        try:
            fields["ipc_codes"] = "; ".join(normalize_ipc_codes(fields["ipc_codes"] or ""))
        except ValidationError as exc:
            raise ValidationError({"ipc_codes": exc.messages}) from exc
    for name in ("applicants", "inventors", "keywords"):
        if name in fields and fields[name] is not None:
            parts = [p.strip() for p in str(fields[name]).replace("；", ";").split(";")]
            fields[name] = ";".join(p for p in parts if p)
    return fields


def _check_number_and_dates(patent: Patent) -> None:
    number = parse_application_no(patent.application_no)
    if patent.application_date and patent.application_date.year > number.year:
        raise ValidationError(
            {
                "application_date": _("申请日（%(date)s）晚于申请号中的年份 %(year)s。")
                % {"date": patent.application_date, "year": number.year}
            }
        )


# ---------------------------------------------------------------------------------------------
# Inventory
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def patent_create(
    *,
    actor: Actor,
    owner: Organization,
    application_no: str,
    title: str,
    industries: Iterable[Industry] = (),
    **fields,
) -> Patent:
    """Add a patent to ``owner``'s inventory as a draft listing."""
    _require(permissions.can_create_for(actor, owner))
    try:
        canonical = parse_application_no(application_no).canonical
    except ValidationError as exc:
        raise ValidationError({"application_no": exc.messages}) from exc
    if Patent.objects.filter(application_no=canonical).exists():
        raise ValidationError({"application_no": _("申请号 %(no)s 已登记。") % {"no": canonical}})
    fields = _clean_fields(dict(fields))
    patent = Patent(owner=owner, application_no=canonical, title=title, **fields)
    _check_number_and_dates(patent)
    patent_derive(patent)
    patent.full_clean(validate_constraints=True)
    patent.save()
    patent.industries.set(industries)
    _sync_ipc(patent)
    return patent


@transaction.atomic
def patent_update(*, patent: Patent, actor: Actor, **fields) -> Patent:
    """Change inventory data or listing terms; derived fields follow."""
    _require(permissions.can_edit(actor, patent))
    industries = fields.pop("industries", None)
    fields = _clean_fields(fields)
    for name, value in fields.items():
        setattr(patent, name, value)
    patent_save_edited(patent=patent)
    if industries is not None:
        patent.industries.set(industries)
    return patent


@transaction.atomic
def patent_save_edited(*, patent: Patent) -> Patent:
    """Save a patent whose fields were set one by one (patent_update, the admin): recompute the
    derived fields, validate, keep the IPC rows in step, withdraw the listing of a dead patent."""
    old_ipc = (
        Patent.objects.filter(pk=patent.pk).values_list("ipc_codes", flat=True).first() if patent.pk else None
    )
    try:
        patent.ipc_codes = "; ".join(normalize_ipc_codes(patent.ipc_codes or ""))
    except ValidationError as exc:
        raise ValidationError({"ipc_codes": exc.messages}) from exc
    _check_number_and_dates(patent)
    patent_derive(patent)
    patent.full_clean(validate_constraints=True)
    patent.save()
    if patent.ipc_codes != old_ipc:
        _sync_ipc(patent)
    if patent.legal_status in Patent.DEAD_STATUSES and patent.listing_status in Patent.LIVE_LISTING_STATUSES:
        _withdraw(
            patent, note=_("专利已%(status)s，挂牌自动撤回。") % {"status": patent.get_legal_status_display()}
        )
    return patent


@transaction.atomic
def patent_refresh_dormant(*, patent: Patent, today: datetime.date | None = None) -> bool:
    """Recompute and store the dormant flag; returns it."""
    dormant = compute_dormant(patent, today)
    if dormant != patent.dormant:
        patent.dormant = dormant
        patent.save(update_fields=["dormant", "updated_at"])
    return dormant


@transaction.atomic
def patent_delete(*, patent: Patent, actor: Actor) -> None:
    """Delete a patent that was never published (published ones are withdrawn instead)."""
    _require(permissions.can_edit(actor, patent))
    if patent.published_at is not None or patent.bulletins.exists():
        raise ApplicationError(_("已发布过的专利不能删除，请撤回挂牌。"))
    patent.delete()
