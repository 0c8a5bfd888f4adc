"""Writes for the patents app: inventory, listing lifecycle, licensing facts, open licenses,
supply bulletins and navigation projects.

Other apps call:
- ``patent_record_transfer`` when a transfer deal is registered (changes the owner),
- ``patent_assert_can_license`` before recording a license, then ``patent_record_license``,
- ``patent_refresh_dormant`` after changing anything the dormant state depends on.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from portal.models import Industry, Membership, Organization
from portal.permissions import Actor

from . import permissions
from .identifiers import ApplicationNumber, add_years, expiry_date, parse_application_no
from .ipc import known_subclass, split_ipc
from .models import AnnualFeeReduction, NavigationProject, OpenLicense, Patent, PatentIpc, SupplyBulletin
from .search import (
    build_search_bigram_codes,
    build_search_body_end,
    build_search_head,
    build_search_latin,
    build_search_tail,
    build_search_text,
)
from .signals import listing_reviewed, listings_published

logger = logging.getLogger(__name__)

LISTING_YEARS = 1  # a listing runs 12 months unless renewed
RENEWAL_REMINDER_DAYS = 30

# Fields an owner (or staff) may set through patent_create / patent_update.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "abstract",
        "claims",
        "ipc_codes",
        "applicants",
        "inventors",
        "application_date",
        "grant_date",
        "publication_no",
        "legal_status",
        "keywords",
        "trl",
        "implemented",
        "transfer_count",
        "license_count",
        "last_transferred_on",
        "last_licensed_on",
        "offers_transfer",
        "offers_license",
        "offers_equity",
        "license_scope",
        "open_license",
        "use_first_pay_later",
        "sme_fee_waiver",
        "asking_price",
    }
)


# ---------------------------------------------------------------------------------------------
# Derived fields
# ---------------------------------------------------------------------------------------------


def normalize_ipc_codes(value: str | Iterable[str]) -> list[str]:
    """Canonical codes, main first, duplicates dropped; ValidationError names the bad code."""
    from .ipc import split_ipc_list

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


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied(_("无权操作该专利。"))


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
    actor: Actor | None,
    owner: Organization,
    application_no: str,
    title: str,
    industries: Iterable[Industry] = (),
    **fields,
) -> Patent:
    """Add a patent to ``owner``'s inventory as a draft listing. ``actor`` None is the system."""
    if actor is not None:
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
def patent_update(*, patent: Patent, actor: Actor | None, **fields) -> Patent:
    """Change inventory data or listing terms; derived fields follow."""
    if actor is not None:
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


# ---------------------------------------------------------------------------------------------
# Listing lifecycle: draft -> submitted -> published -> expired / withdrawn / traded
# ---------------------------------------------------------------------------------------------


def _assert_listable(patent: Patent) -> None:
    if not patent.in_force:
        raise ApplicationError(
            _("专利处于“%(status)s”状态或已届满，不能挂牌。") % {"status": patent.get_legal_status_display()}
        )
    if not (patent.deal_kinds or patent.open_license):
        raise ApplicationError(_("请至少选择一种交易方式（转让、许可、作价入股）或开放许可。"))


def patent_queue_matching(*, patent_ids: Iterable[int]) -> None:
    """After commit, announce these newly listed patents (``signals.listings_published``): the
    matching engine, which depends on this app, subscribes and scores open demands against them."""
    ids = sorted(set(patent_ids))
    if ids:
        transaction.on_commit(lambda: listings_published.send(sender=Patent, patent_ids=ids))


def _publish(patent: Patent, *, today: datetime.date | None = None) -> Patent:
    now = timezone.now()
    today = today or timezone.localdate()
    if patent.listing_status != Patent.ListingStatus.PUBLISHED or patent.published_at is None:
        patent.published_at = now
    patent.listing_status = Patent.ListingStatus.PUBLISHED
    patent.listed_until = add_years(today, LISTING_YEARS)
    patent.renewal_reminded_at = None
    patent.review_note = ""
    patent.save(
        update_fields=[
            "listing_status",
            "published_at",
            "listed_until",
            "renewal_reminded_at",
            "review_note",
            "updated_at",
        ]
    )
    patent_queue_matching(patent_ids=[patent.pk])
    return patent


def _withdraw(patent: Patent, *, note: str = "") -> Patent:
    patent.listing_status = Patent.ListingStatus.WITHDRAWN
    patent.review_note = note[:500]
    patent.save(update_fields=["listing_status", "review_note", "updated_at"])
    return patent


@transaction.atomic
def patent_submit(*, patent: Patent, actor: Actor) -> Patent:
    """Submit a listing for review; reviewers (and verified institutions when direct publishing is
    on) publish at once."""
    _require(permissions.can_edit(actor, patent))
    allowed = (
        Patent.ListingStatus.DRAFT,
        Patent.ListingStatus.WITHDRAWN,
        Patent.ListingStatus.EXPIRED,
    )
    if patent.listing_status not in allowed:
        raise ApplicationError(_("只有草稿、已撤回或已到期的挂牌可以提交。"))
    _assert_listable(patent)
    if permissions.can_publish_directly(actor, patent):
        return _publish(patent)
    patent.listing_status = Patent.ListingStatus.SUBMITTED
    patent.submitted_at = timezone.now()
    patent.review_note = ""
    patent.save(update_fields=["listing_status", "submitted_at", "review_note", "updated_at"])
    return patent


@transaction.atomic
def patent_publish(*, patent: Patent, actor: Actor | None) -> Patent:
    """Publish a listing (review passed); valid for 12 months."""
    if actor is not None:
        _require(permissions.can_publish_directly(actor, patent))
    if patent.listing_status == Patent.ListingStatus.PUBLISHED:
        raise ApplicationError(_("该专利已发布。"))
    if patent.listing_status == Patent.ListingStatus.TRADED:
        raise ApplicationError(_("已成交的专利不能再次发布。"))
    _assert_listable(patent)
    return _publish(patent)


@transaction.atomic
def patent_approve(*, patent: Patent, actor: Actor) -> Patent:
    """Review passed: publish a submitted listing and tell its owner side (``listing_reviewed``)."""
    if patent.listing_status != Patent.ListingStatus.SUBMITTED:
        raise ApplicationError(_("只有待审核的挂牌可以审核。"))
    _require(permissions.can_review(actor, patent))
    patent_publish(patent=patent, actor=actor)
    listing_reviewed.send(sender=Patent, patent=patent, approved=True, note="", reviewer=actor.user)
    return patent


@transaction.atomic
def patent_reject(*, patent: Patent, actor: Actor, note: str) -> Patent:
    """Send a submitted listing back to its owner as a draft, with the reviewer's note; its owner
    side is told (``listing_reviewed``)."""
    _require(permissions.can_review(actor, patent))
    if patent.listing_status != Patent.ListingStatus.SUBMITTED:
        raise ApplicationError(_("只有待审核的挂牌可以退回。"))
    if not (note or "").strip():
        raise ApplicationError(_("退回时请填写审核意见。"))
    patent.listing_status = Patent.ListingStatus.DRAFT
    patent.review_note = note.strip()[:500]
    patent.save(update_fields=["listing_status", "review_note", "updated_at"])
    listing_reviewed.send(
        sender=Patent, patent=patent, approved=False, note=patent.review_note, reviewer=actor.user
    )
    return patent


@transaction.atomic
def patent_withdraw(*, patent: Patent, actor: Actor | None, note: str = "") -> Patent:
    """Take a submitted or published listing off the market."""
    if actor is not None:
        _require(permissions.can_edit(actor, patent) or permissions.can_review(actor, patent))
    if patent.listing_status not in Patent.LIVE_LISTING_STATUSES:
        raise ApplicationError(_("只有待审核或已发布的挂牌可以撤回。"))
    return _withdraw(patent, note=note)


@transaction.atomic
def patent_renew(*, patent: Patent, actor: Actor) -> Patent:
    """Extend a published (or lapsed-by-time) listing for another 12 months from today."""
    _require(permissions.can_edit(actor, patent) or permissions.can_review(actor, patent))
    if patent.listing_status not in (Patent.ListingStatus.PUBLISHED, Patent.ListingStatus.EXPIRED):
        raise ApplicationError(_("只有已发布或已到期的挂牌可以续期。"))
    _assert_listable(patent)
    return _publish(patent)


def _listing_reminder_recipients(owner_ids: set[int]) -> dict[int, list[str]]:
    recipients: dict[int, list[str]] = {}
    members = Membership.objects.filter(
        organization_id__in=owner_ids, email_notifications=True, user__is_active=True
    ).exclude(user__email="")
    for organization_id, email in members.values_list("organization_id", "user__email"):
        recipients.setdefault(organization_id, []).append(email)
    return recipients


@transaction.atomic
def patent_listings_remind(*, today: datetime.date | None = None) -> int:
    """E-mail owners whose listings expire within 30 days (once per listing period)."""
    today = today or timezone.localdate()
    due = list(
        Patent.objects.filter(
            listing_status=Patent.ListingStatus.PUBLISHED,
            listed_until__lte=today + datetime.timedelta(days=RENEWAL_REMINDER_DAYS),
            listed_until__gte=today,
            renewal_reminded_at__isnull=True,
        ).only("id", "application_no", "title", "owner_id", "listed_until")
    )
    if not due:
        return 0
    recipients = _listing_reminder_recipients({p.owner_id for p in due})
    by_owner: dict[int, list[Patent]] = {}
    for patent in due:
        by_owner.setdefault(patent.owner_id, []).append(patent)
    for owner_id, patents in by_owner.items():
        emails = recipients.get(owner_id)
        if not emails:
            continue
        lines = "\n".join(f"{p.application_no} {p.title}（{p.listed_until} 到期）" for p in patents)
        send_mail(
            subject=_("专利挂牌即将到期，请及时续期"),
            message=_("以下专利挂牌将在 30 天内到期，登录平台“本单位专利”即可续期：\n\n") + lines,
            from_email=None,
            recipient_list=emails,
            fail_silently=True,
        )
    Patent.objects.filter(pk__in=[p.pk for p in due]).update(renewal_reminded_at=timezone.now())
    return len(due)


@transaction.atomic
def patent_listings_expire(*, today: datetime.date | None = None) -> int:
    """Listings past their 12 months become expired."""
    today = today or timezone.localdate()
    due = Patent.objects.filter(listing_status=Patent.ListingStatus.PUBLISHED, listed_until__lt=today)
    return _bulk_set_with_history(due, listing_status=Patent.ListingStatus.EXPIRED)


@transaction.atomic
def patent_listings_withdraw_lapsed(*, today: datetime.date | None = None) -> dict:
    """Granted/pending patents past their term become expired; live listings of patents that
    lapsed, expired or were invalidated are withdrawn."""
    today = today or timezone.localdate()
    term_over = Patent.objects.filter(legal_status__in=Patent.IN_FORCE_STATUSES, expiry_date__lt=today)
    expired = _bulk_set_with_history(term_over, legal_status=Patent.LegalStatus.EXPIRED, dormant=False)
    dead_live = Patent.objects.filter(
        legal_status__in=Patent.DEAD_STATUSES, listing_status__in=Patent.LIVE_LISTING_STATUSES
    )
    withdrawn = _bulk_set_with_history(
        dead_live, listing_status=Patent.ListingStatus.WITHDRAWN, review_note=_("专利已失效，挂牌自动撤回。")
    )
    return {"term_expired": expired, "withdrawn": withdrawn}


def _bulk_set_with_history(queryset, **values) -> int:
    """Update rows and record one history entry each (queryset.update skips simple_history)."""
    from simple_history.utils import bulk_update_with_history

    patents = list(queryset.select_for_update())
    if not patents:
        return 0
    now = timezone.now()
    for patent in patents:
        for name, value in values.items():
            setattr(patent, name, value)
        patent.updated_at = now
    bulk_update_with_history(patents, Patent, [*values, "updated_at"], batch_size=500)
    return len(patents)


@transaction.atomic
def patent_daily_maintenance(*, today: datetime.date | None = None) -> dict:
    """The daily job: term expiry, lapsed-listing withdrawal, listing expiry, reminders, open
    licenses past their term, and the dormant flags that changed with the date."""
    today = today or timezone.localdate()
    result = patent_listings_withdraw_lapsed(today=today)
    result["listings_expired"] = patent_listings_expire(today=today)
    result["reminded"] = patent_listings_remind(today=today)
    result["open_licenses_ended"] = open_license_end_due(today=today)
    logger.info("patent daily maintenance %s", result)
    return result


# ---------------------------------------------------------------------------------------------
# Facts recorded by the finance app: transfers and licenses
# ---------------------------------------------------------------------------------------------


def open_license_standing(patent: Patent, on: datetime.date | None = None) -> OpenLicense | None:
    on = on or timezone.localdate()
    return (
        patent.open_licenses.filter(status=OpenLicense.Status.ACTIVE, starts_on__lte=on, ends_on__gte=on)
        .order_by("-starts_on")
        .first()
    )


def patent_assert_can_license(patent: Patent, scope: str, *, on: datetime.date | None = None) -> None:
    """Raise ApplicationError if a license of ``scope`` (exclusive/sole/ordinary/open) may not be
    recorded for the patent on ``on``: no exclusive or sole license while an open-license
    declaration stands, nothing beside a standing exclusive/sole license, nothing for a patent
    that is no longer in force."""
    on = on or timezone.localdate()
    scopes = Patent.LicenseScope
    if scope not in scopes.values:
        raise ApplicationError(_("未知的许可方式：%(scope)s。") % {"scope": scope})
    if patent.legal_status in Patent.DEAD_STATUSES or (patent.expiry_date and patent.expiry_date < on):
        raise ApplicationError(_("专利已失效或届满，不能登记许可。"))
    if scope in (scopes.EXCLUSIVE, scopes.SOLE) and (
        patent.open_license or open_license_standing(patent, on)
    ):
        raise ApplicationError(_("该专利已声明开放许可，开放许可期间不得实行独占许可或排他许可。"))
    if patent.exclusive_license_until and patent.exclusive_license_until >= on:
        raise ApplicationError(
            _("该专利已有独占或排他许可（有效期至 %(until)s），不能再登记许可。")
            % {"until": patent.exclusive_license_until}
        )


@transaction.atomic
def patent_record_license(
    *,
    patent: Patent,
    scope: str,
    licensed_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> Patent:
    """Record that a license was granted (called by the finance app when a deal is registered)."""
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    patent_assert_can_license(patent, scope, on=licensed_on)
    patent.license_count += 1
    patent.last_licensed_on = max(filter(None, [patent.last_licensed_on, licensed_on]))
    fields = ["license_count", "last_licensed_on", "dormant", "updated_at"]
    if scope in (Patent.LicenseScope.EXCLUSIVE, Patent.LicenseScope.SOLE):
        patent.exclusive_license_until = ends_on or patent.expiry_date or add_years(licensed_on, 1)
        fields.append("exclusive_license_until")
        if patent.listing_status in Patent.LIVE_LISTING_STATUSES:
            patent.listing_status = Patent.ListingStatus.TRADED
            fields.append("listing_status")
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=fields)
    return patent


@transaction.atomic
def patent_record_transfer(
    *, patent: Patent, new_owner: Organization, transferred_on: datetime.date
) -> Patent:
    """Record a registered transfer: the new owner holds the patent, the listing is traded."""
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    if patent.legal_status in Patent.DEAD_STATUSES:
        raise ApplicationError(_("专利已失效，不能登记转让。"))
    if new_owner.pk == patent.owner_id:
        raise ApplicationError(_("受让方与当前权利人相同。"))
    patent.owner = new_owner
    patent.transfer_count += 1
    patent.last_transferred_on = max(filter(None, [patent.last_transferred_on, transferred_on]))
    fields = ["owner", "transfer_count", "last_transferred_on", "dormant", "updated_at"]
    if patent.listing_status in Patent.LIVE_LISTING_STATUSES:
        patent.listing_status = Patent.ListingStatus.TRADED
        fields.append("listing_status")
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=fields)
    return patent


@transaction.atomic
def patent_record_implemented(*, patent: Patent, implemented: bool = True) -> Patent:
    """Mark a patent as implemented (e.g. a patent product filing), which ends dormancy."""
    patent.implemented = implemented
    patent.dormant = compute_dormant(patent)
    patent.save(update_fields=["implemented", "dormant", "updated_at"])
    return patent


# ---------------------------------------------------------------------------------------------
# Open license (专利开放许可)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def open_license_declare(
    *,
    patent: Patent,
    actor: Actor | None,
    fee_mode: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    co_owners_consent: bool = False,
    lump_sum: Decimal | None = None,
    entry_fee: Decimal | None = None,
    royalty_rate: Decimal | None = None,
    fee_standard: str = "",
) -> OpenLicense:
    """Declare an open license: term of at least one year ending no later than the patent's
    expiry, consent of all co-owners, and no exclusive or sole license in force."""
    if actor is not None:
        _require(permissions.can_edit(actor, patent))
    patent = Patent.objects.select_for_update().get(pk=patent.pk)
    errors: dict[str, list[str]] = {}
    if patent.legal_status != Patent.LegalStatus.GRANTED:
        raise ApplicationError(_("只有已授权且有效的专利可以声明开放许可。"))
    if OpenLicense.objects.filter(patent=patent, status=OpenLicense.Status.ACTIVE).exists():
        raise ApplicationError(_("该专利已有有效的开放许可声明。"))
    if patent.exclusive_license_until and patent.exclusive_license_until >= starts_on:
        raise ApplicationError(_("该专利存在有效的独占或排他许可，不能声明开放许可。"))
    if ends_on < add_years(starts_on, 1) - datetime.timedelta(days=1):
        errors.setdefault("ends_on", []).append(_("开放许可期限至少为一年。"))
    if patent.expiry_date is None:
        errors.setdefault("ends_on", []).append(_("请先填写申请日，以便确定专利保护期。"))
    elif ends_on > patent.expiry_date:
        errors.setdefault("ends_on", []).append(
            _("开放许可期限不得晚于专利保护期届满日（%(date)s）。") % {"date": patent.expiry_date}
        )
    if len(patent.applicant_list) > 1 and not co_owners_consent:
        errors.setdefault("co_owners_consent", []).append(_("专利有多个共有人，须经全体共有人同意。"))
    modes = OpenLicense.FeeMode
    if fee_mode == modes.LUMP_SUM and lump_sum is None:
        errors.setdefault("lump_sum", []).append(_("一次性支付方式须填写许可费金额。"))
    if fee_mode in (modes.ROYALTY, modes.ENTRY_FEE_ROYALTY) and royalty_rate is None:
        errors.setdefault("royalty_rate", []).append(_("提成支付方式须填写提成比例。"))
    if fee_mode == modes.ENTRY_FEE_ROYALTY and entry_fee is None:
        errors.setdefault("entry_fee", []).append(_("入门费+提成方式须填写入门费。"))
    if errors:
        raise ValidationError(errors)
    declaration = OpenLicense(
        patent=patent,
        fee_mode=fee_mode,
        lump_sum=lump_sum if fee_mode == modes.LUMP_SUM else None,
        entry_fee=entry_fee if fee_mode == modes.ENTRY_FEE_ROYALTY else None,
        royalty_rate=royalty_rate if fee_mode != modes.LUMP_SUM else None,
        fee_standard=fee_standard,
        starts_on=starts_on,
        ends_on=ends_on,
        co_owners_consent=co_owners_consent,
        declared_by=getattr(actor, "user", None) if actor and getattr(actor.user, "pk", None) else None,
    )
    declaration.full_clean()
    declaration.save()
    patent.open_license = True
    patent.offers_license = True
    patent.save(update_fields=["open_license", "offers_license", "updated_at"])
    return declaration


@transaction.atomic
def open_license_withdraw(*, declaration: OpenLicense, actor: Actor | None) -> OpenLicense:
    """Withdraw an open-license declaration (licenses already taken continue under their terms)."""
    if actor is not None:
        _require(permissions.can_edit(actor, declaration.patent))
    if declaration.status != OpenLicense.Status.ACTIVE:
        raise ApplicationError(_("该开放许可声明已不在有效状态。"))
    declaration.status = OpenLicense.Status.WITHDRAWN
    declaration.withdrawn_at = timezone.now()
    declaration.save(update_fields=["status", "withdrawn_at", "updated_at"])
    patent = declaration.patent
    patent.open_license = False
    patent.save(update_fields=["open_license", "updated_at"])
    return declaration


@transaction.atomic
def open_license_end_due(*, today: datetime.date | None = None) -> int:
    """Declarations past their term end; the patent is no longer offered under open license."""
    today = today or timezone.localdate()
    due = list(OpenLicense.objects.filter(status=OpenLicense.Status.ACTIVE, ends_on__lt=today))
    for declaration in due:
        declaration.status = OpenLicense.Status.ENDED
        declaration.save(update_fields=["status", "updated_at"])
    if due:
        patents = Patent.objects.filter(pk__in=[d.patent_id for d in due])
        _bulk_set_with_history(patents, open_license=False)
    return len(due)


@transaction.atomic
def annual_fee_reduction_record(
    *,
    declaration: OpenLicense,
    actor: Actor | None,
    fee_year: int,
    annual_fee: Decimal,
    paid_on: datetime.date,
    reduction: Decimal | None = None,
) -> AnnualFeeReduction:
    """Record the annual-fee reduction granted for a fee year paid while the open-license
    declaration stood (by default ``AnnualFeeReduction.DEFAULT_RATE`` of the fee)."""
    if actor is not None:
        _require(permissions.can_edit(actor, declaration.patent))
    errors: dict[str, list[str]] = {}
    in_force_until = declaration.withdrawn_at.date() if declaration.withdrawn_at else declaration.ends_on
    if not (declaration.starts_on <= paid_on <= min(in_force_until, declaration.ends_on)):
        errors["paid_on"] = [
            _("缴费日期须在开放许可期间内（%(start)s 至 %(end)s）。")
            % {"start": declaration.starts_on, "end": min(in_force_until, declaration.ends_on)}
        ]
    if paid_on > timezone.localdate():
        errors.setdefault("paid_on", []).append(_("缴费日期不能晚于今天。"))
    if annual_fee is None or annual_fee <= 0:
        errors["annual_fee"] = [_("应缴年费必须大于 0。")]
    if errors:
        raise ValidationError(errors)
    if reduction is None:
        reduction = (annual_fee * AnnualFeeReduction.DEFAULT_RATE).quantize(Decimal("0.01"))
    if AnnualFeeReduction.objects.filter(open_license=declaration, fee_year=fee_year).exists():
        raise ValidationError({"fee_year": [_("该年度的年费减免已登记。")]})
    record = AnnualFeeReduction(
        open_license=declaration,
        fee_year=fee_year,
        annual_fee=annual_fee,
        reduction=reduction,
        paid_on=paid_on,
        recorded_by=getattr(actor, "user", None) if actor and getattr(actor.user, "pk", None) else None,
    )
    record.full_clean(validate_constraints=True)
    record.save()
    return record


# ---------------------------------------------------------------------------------------------
# Supply bulletin (集中定期发布)
# ---------------------------------------------------------------------------------------------


def month_bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    first = month.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(following, datetime.time.min, tzinfo=tz),
    )


@transaction.atomic
def supply_bulletin_publish(*, month: datetime.date) -> SupplyBulletin:
    """Publish (or refresh) the bulletin of the patents first listed in ``month`` and still on
    offer. Idempotent: running it again for the same month gives the same bulletin."""
    first = month.replace(day=1)
    start, end = month_bounds(first)
    patents = list(
        Patent.objects.filter(
            listing_status=Patent.ListingStatus.PUBLISHED, published_at__gte=start, published_at__lt=end
        ).values_list("pk", flat=True)
    )
    bulletin, _created = SupplyBulletin.objects.update_or_create(
        month=first,
        defaults={
            "title": _("%(year)d年%(month)d月专利供给信息公告") % {"year": first.year, "month": first.month},
            "patent_count": len(patents),
            "published_at": timezone.now(),
        },
    )
    bulletin.patents.set(patents)
    return bulletin


def previous_month(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


# ---------------------------------------------------------------------------------------------
# Navigation projects (专利导航)
# ---------------------------------------------------------------------------------------------

NAVIGATION_FIELDS = frozenset(
    {
        "title",
        "kind",
        "industry",
        "enterprise",
        "region",
        "year_started",
        "status",
        "summary",
        "report_file",
        "report_public",
    }
)


@transaction.atomic
def navigation_project_create(*, actor: Actor, **fields) -> NavigationProject:
    _require(permissions.can_manage_navigation(actor))
    unknown = set(fields) - NAVIGATION_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    project = NavigationProject(created_by=actor.user if getattr(actor.user, "pk", None) else None, **fields)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def navigation_project_update(*, project: NavigationProject, actor: Actor, **fields) -> NavigationProject:
    _require(permissions.can_manage_navigation(actor))
    unknown = set(fields) - NAVIGATION_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    return project


@transaction.atomic
def navigation_project_delete(*, project: NavigationProject, actor: Actor) -> None:
    _require(permissions.can_manage_navigation(actor))
    project.delete()
