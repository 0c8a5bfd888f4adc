"""The validation rules of finance records, on plain values, shared by the services (one record at
a time) and the importers (whole files, from preloaded facts), so that the browser, the API and
``import_data`` accept and refuse exactly the same records.

Each check returns a list of ``(field, message)``; an empty list means the record is valid.
Field names are the model's (``patents``, ``seller``, ...); importers map them to their columns.

Ownership at the contract date: only registered transfers (and equity contributions) move a
patent, and a patent's current owner is the buyer of its latest registered transfer. So a
transfer is valid when its seller is the patent's current owner and no registered transfer of
the patent is dated after it (a transfer cannot be slipped in before a later registered one).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Max
from django.utils.translation import gettext as _

from patents.identifiers import PatentType, add_years
from patents.models import OpenLicense, Patent

from .models import Deal, Subsidy

Errors = list[tuple[str, str]]

_FACT_FIELDS = (
    "id",
    "application_no",
    "owner_id",
    "owner__name",
    "patent_type",
    "legal_status",
    "grant_date",
    "expiry_date",
    "open_license",
    "exclusive_license_until",
)


@dataclass(frozen=True)
class PatentFacts:
    """What the rules need to know about one patent."""

    id: int
    application_no: str
    owner_id: int
    owner_name: str
    patent_type: str
    legal_status: str
    grant_date: datetime.date | None
    expiry_date: datetime.date | None
    open_license: bool
    exclusive_license_until: datetime.date | None
    open_license_periods: tuple[tuple[datetime.date, datetime.date], ...] = ()
    last_registered_transfer: datetime.date | None = None

    @property
    def dead(self) -> bool:
        return self.legal_status in Patent.DEAD_STATUSES

    @property
    def granted(self) -> bool:
        return self.legal_status != Patent.LegalStatus.PENDING


def load_patent_facts(patent_ids: Iterable[int] | None = None, *, exclude_deal_id: int | None = None) -> dict:
    """Facts for the given patents (all patents when None), in three queries."""
    patents = Patent.objects.order_by()
    licenses = OpenLicense.objects.filter(status=OpenLicense.Status.ACTIVE)
    through = Deal.patents.through.objects.filter(deal__kind__in=Deal.OWNERSHIP_KINDS).exclude(
        deal__registration_no=""
    )
    if patent_ids is not None:
        ids = list(patent_ids)
        patents = patents.filter(pk__in=ids)
        licenses = licenses.filter(patent_id__in=ids)
        through = through.filter(patent_id__in=ids)
    if exclude_deal_id is not None:
        through = through.exclude(deal_id=exclude_deal_id)
    periods: dict[int, list] = {}
    for patent_id, starts, ends in licenses.values_list("patent_id", "starts_on", "ends_on"):
        periods.setdefault(patent_id, []).append((starts, ends))
    last_transfer = dict(
        through.order_by()
        .values("patent_id")
        .annotate(last=Max("deal__contract_date"))
        .values_list("patent_id", "last")
    )
    facts = {}
    for values in patents.values_list(*_FACT_FIELDS):
        fact = PatentFacts(*values)
        facts[fact.id] = replace(
            fact,
            open_license_periods=tuple(periods.get(fact.id, ())),
            last_registered_transfer=last_transfer.get(fact.id),
        )
    return facts


def after_registration(
    fact: PatentFacts,
    *,
    deal_kind: str,
    license_scope: str,
    buyer_id: int,
    buyer_name: str,
    contract_date: datetime.date,
    license_ends_on: datetime.date | None = None,
) -> PatentFacts:
    """The facts once a deal on the patent is registered (for checking later rows of one file);
    mirrors patents.services.patent_record_transfer / patent_record_license."""
    if deal_kind in Deal.OWNERSHIP_KINDS:
        last = max(filter(None, [fact.last_registered_transfer, contract_date]))
        return replace(fact, owner_id=buyer_id, owner_name=buyer_name, last_registered_transfer=last)
    if deal_kind == Deal.Kind.LICENSE and license_scope in Deal.EXCLUSIVE_SCOPES:
        until = license_ends_on or fact.expiry_date or add_years(contract_date, 1)
        return replace(fact, exclusive_license_until=until)
    return fact


# --- Shared checks --------------------------------------------------------------------------------


# No record about a Chinese patent predates the Patent Law's entry into force; an earlier date
# (1900-01-01 was accepted) is a typing or spreadsheet error (decided in issue 14).
EARLIEST_DATE = datetime.date(1985, 4, 1)


def not_future(field: str, value: datetime.date | None, today: datetime.date) -> Errors:
    """The date is neither after today nor before EARLIEST_DATE."""
    if value is not None and value > today:
        return [(field, _("日期不能晚于今天：%(date)s") % {"date": value.isoformat()})]
    if value is not None and value < EARLIEST_DATE:
        return [(field, _("日期不能早于 1985-04-01（专利法施行日）：%(date)s") % {"date": value.isoformat()})]
    return []


def positive(field: str, value: Decimal | None) -> Errors:
    if value is not None and value <= 0:
        return [(field, _("金额必须大于 0：%(value)s") % {"value": value})]
    return []


def distinct_parties(field: str, first_id: int | None, second_id: int | None, message: str) -> Errors:
    if first_id is not None and first_id == second_id:
        return [(field, message)]
    return []


# --- Deals ------------------------------------------------------------------------------------------


def deal_terms_errors(
    *,
    kind: str,
    license_scope: str,
    seller_id: int | None,
    buyer_id: int | None,
    contract_date: datetime.date | None,
    contract_amount: Decimal | None,
    fee_waived: bool,
    license_ends_on: datetime.date | None,
    patent_count: int,
    today: datetime.date,
) -> Errors:
    """Checks on the deal's own values."""
    errors: Errors = []
    errors += distinct_parties("buyer", seller_id, buyer_id, _("受让方不能与转让方相同。"))
    errors += not_future("contract_date", contract_date, today)
    if contract_amount is not None and (contract_amount < 0 or (contract_amount == 0 and not fee_waived)):
        errors.append(
            (
                "contract_amount",
                _("合同金额必须大于 0（仅费用全免的交易可为 0）：%(value)s") % {"value": contract_amount},
            )
        )
    if kind == Deal.Kind.LICENSE and not license_scope:
        errors.append(("license_scope", _("许可交易须注明许可方式（独占/排他/普通/开放许可）。")))
    if kind != Deal.Kind.LICENSE and license_scope:
        errors.append(("license_scope", _("只有许可交易才有许可方式。")))
    if license_ends_on is not None:
        if kind != Deal.Kind.LICENSE:
            errors.append(("license_ends_on", _("只有许可交易才有许可期限。")))
        elif contract_date and license_ends_on <= contract_date:
            errors.append(("license_ends_on", _("许可期限须晚于合同日期。")))
    if patent_count == 0:
        errors.append(("patents", _("至少选择一项专利。")))
    return errors


def license_errors(fact: PatentFacts, scope: str, on: datetime.date) -> list[str]:
    """Mirror of patents.services.patent_assert_can_license, on preloaded facts."""
    no = fact.application_no
    if fact.dead or (fact.expiry_date and fact.expiry_date < on):
        return [_("专利 %(no)s 已失效或届满，不能登记许可。") % {"no": no}]
    standing = any(start <= on <= end for start, end in fact.open_license_periods)
    if scope in Deal.EXCLUSIVE_SCOPES and (fact.open_license or standing):
        return [_("专利 %(no)s 已声明开放许可，开放许可期间不得实行独占许可或排他许可。") % {"no": no}]
    if fact.exclusive_license_until and fact.exclusive_license_until >= on:
        return [
            _("专利 %(no)s 已有独占或排他许可（有效期至 %(until)s），不能再登记许可。")
            % {"no": no, "until": fact.exclusive_license_until}
        ]
    return []


def deal_patent_errors(
    *,
    kind: str,
    license_scope: str,
    seller_id: int,
    contract_date: datetime.date,
    patents: Iterable[PatentFacts],
) -> Errors:
    """Checks of the deal against its patents: the seller owns them at the contract date (transfer,
    equity), the license rules (licenses), and that dead patents are not transferred."""
    errors: Errors = []
    for fact in patents:
        no = fact.application_no
        if kind in Deal.OWNERSHIP_KINDS:
            if fact.dead:
                errors.append(("patents", _("专利 %(no)s 已失效，不能登记转让。") % {"no": no}))
            elif fact.last_registered_transfer and fact.last_registered_transfer > contract_date:
                errors.append(
                    (
                        "patents",
                        _("专利 %(no)s 在 %(date)s 已登记转让，不能登记合同日期更早的转让。")
                        % {"no": no, "date": fact.last_registered_transfer},
                    )
                )
            elif fact.owner_id != seller_id:
                errors.append(
                    (
                        "seller",
                        _("转让方在合同日期不是专利 %(no)s 的权利人（权利人为 %(owner)s）。")
                        % {"no": no, "owner": fact.owner_name},
                    )
                )
        elif kind == Deal.Kind.LICENSE:
            errors += [("patents", message) for message in license_errors(fact, license_scope, contract_date)]
    return errors


LOCKED_WHEN_REGISTERED = ("kind", "license_scope", "seller_id", "buyer_id", "contract_date")


def registered_changes(old: dict, new: dict) -> list[str]:
    """Fields a registered deal may no longer change (the CNIPA registration fixes them)."""
    changed = [name for name in LOCKED_WHEN_REGISTERED if name in new and old.get(name) != new[name]]
    if "patent_ids" in new and set(old.get("patent_ids", ())) != set(new["patent_ids"]):
        changed.append("patents")
    return changed


def locked_message() -> str:
    return _("合同已登记，交易类型、许可方式、双方、专利和合同日期不能再修改；如需变更请终止后重新登记。")


# --- Payments and termination -------------------------------------------------------------------


def payment_errors(
    *,
    date: datetime.date | None,
    amount: Decimal | None,
    contract_date: datetime.date,
    terminated_on: datetime.date | None,
    today: datetime.date,
) -> Errors:
    errors: Errors = positive("amount", amount)
    if date is None:
        return errors
    errors += not_future("date", date, today)
    if date < contract_date:
        errors.append(
            (
                "date",
                _("到账日期 %(date)s 早于合同日期 %(contract)s。")
                % {"date": date, "contract": contract_date},
            )
        )
    if terminated_on is not None and date > terminated_on:
        errors.append(
            (
                "date",
                _("合同已于 %(end)s 终止，不能登记其后的到账款项（%(date)s）。")
                % {"end": terminated_on, "date": date},
            )
        )
    return errors


def termination_errors(
    *,
    terminated_on: datetime.date,
    contract_date: datetime.date,
    last_payment: datetime.date | None,
    today: datetime.date,
) -> Errors:
    errors = not_future("terminated_on", terminated_on, today)
    if terminated_on < contract_date:
        errors.append(("terminated_on", _("终止日期不能早于合同日期 %(date)s。") % {"date": contract_date}))
    if last_payment and terminated_on < last_payment:
        errors.append(
            ("terminated_on", _("终止日期不能早于最后一笔到账日期 %(date)s。") % {"date": last_payment})
        )
    return errors


# --- Pledges, insurance, filings ----------------------------------------------------------------


def pledge_errors(
    *,
    borrower_id: int | None,
    lender_id: int | None,
    amount: Decimal | None,
    registration_date: datetime.date | None,
    term_months: int | None,
    patent_count: int,
    today: datetime.date,
    foreign_patents: Sequence[str] = (),
    third_party: bool = False,
) -> Errors:
    """``foreign_patents``: application numbers of the pledged patents the borrower does not hold;
    refused unless the pledge is marked ``third_party`` (a patent pledged for another's loan)."""
    errors = distinct_parties("lender", borrower_id, lender_id, _("质权人不能是出质人本身。"))
    errors += positive("amount", amount)
    errors += not_future("registration_date", registration_date, today)
    if term_months is not None and not 1 <= term_months <= 600:
        errors.append(("term_months", _("期限应为 1–600 个月。")))
    if patent_count == 0:
        errors.append(("patents", _("至少选择一项专利。")))
    if foreign_patents and not third_party:
        errors.append(
            (
                "patents",
                _("以下专利的权利人不是出质人：%(numbers)s。如由第三方提供专利质押，请勾选“第三方质押”。")
                % {"numbers": "、".join(foreign_patents)},
            )
        )
    return errors


def insurance_errors(
    *,
    insured_id: int | None,
    insurer_id: int | None,
    premium: Decimal | None,
    coverage: Decimal | None,
    premium_subsidy: Decimal | None,
    start_date: datetime.date | None,
    patent_count: int,
    today: datetime.date,
) -> Errors:
    errors = distinct_parties("insurer", insured_id, insurer_id, _("保险机构不能是被保险单位本身。"))
    errors += positive("premium", premium) + positive("coverage", coverage)
    if premium_subsidy is not None:
        if premium_subsidy < 0:
            errors.append(("premium_subsidy", _("保费补贴不能为负数。")))
        elif premium is not None and premium_subsidy > premium:
            errors.append(("premium_subsidy", _("保费补贴不能超过保费。")))
    errors += not_future("start_date", start_date, today)
    if patent_count == 0:
        errors.append(("patents", _("至少选择一项专利。")))
    return errors


def filing_errors(*, filing_date: datetime.date | None, patent_count: int, today: datetime.date) -> Errors:
    errors = not_future("filing_date", filing_date, today)
    if patent_count == 0:
        errors.append(("patents", _("至少选择一项专利。")))
    return errors


# --- Subsidies ------------------------------------------------------------------------------------


def subsidy_errors(
    *,
    status: str,
    official_fees: Decimal | None,
    requested_amount: Decimal | None,
    approved_amount: Decimal | None,
    decision_date: datetime.date | None,
    patent: PatentFacts | None,
    today: datetime.date,
) -> Errors:
    """Checks of one subsidy on its own; the 50% cap across subsidies is ``subsidy_cap_errors``."""
    S = Subsidy.Status
    errors = positive("official_fees", official_fees) + positive("requested_amount", requested_amount)
    errors += positive("approved_amount", approved_amount)
    errors += not_future("decision_date", decision_date, today)
    if status in Subsidy.COUNTED_STATUSES:
        if approved_amount is None:
            errors.append(("approved_amount", _("批准或拨付的资助须填写批准金额。")))
        if decision_date is None:
            errors.append(("decision_date", _("批准或拨付的资助须填写决定日期。")))
    elif status == S.REJECTED:
        if approved_amount is not None:
            errors.append(("approved_amount", _("未批准的资助不能有批准金额。")))
        if decision_date is None:
            errors.append(("decision_date", _("未批准的资助须填写决定日期。")))
    elif status == S.APPLIED:
        if approved_amount is not None:
            errors.append(("approved_amount", _("申请中的资助不能有批准金额。")))
        if decision_date is not None:
            errors.append(("decision_date", _("申请中的资助没有决定日期。")))
    if approved_amount is not None and requested_amount is not None and approved_amount > requested_amount:
        errors.append(("approved_amount", _("批准金额不能超过申请金额。")))
    if patent is not None:
        no = patent.application_no
        if patent.patent_type != PatentType.INVENTION:
            errors.append(
                ("patent", _("专利 %(no)s 不是发明专利：资助只适用于授权发明专利（含 PCT）。") % {"no": no})
            )
        elif (
            status in Subsidy.COUNTED_STATUSES
            and decision_date is not None
            and not granted_by(
                grant_date=patent.grant_date, legal_status=patent.legal_status, on=decision_date
            )
        ):
            if not patent.granted:
                errors.append(
                    ("status", _("专利 %(no)s 尚未授权，资助只能在授权后批准或拨付。") % {"no": no})
                )
                return errors
            if patent.grant_date is None:
                message = _(
                    "专利 %(no)s 没有授权公告日：资助只能批准或拨付给决定日期前已授权的发明专利，"
                    "请先补录授权公告日。"
                ) % {"no": no}
            else:
                message = _(
                    "决定日期 %(date)s 早于专利 %(no)s 的授权公告日 %(grant)s：资助只能在授权后批准或拨付。"
                ) % {"date": decision_date, "no": no, "grant": patent.grant_date}
            errors.append(("decision_date", message))
    return errors


# --- The subsidy rule -----------------------------------------------------------------------------
# One rule, applied by the services (one subsidy), the importers (a file) and the KPI (the
# violations of a year): the approved subsidies of a patent total at most half of its official
# fees, compared exactly (2 × approved ≤ fees, no rounding), and a subsidy is approved or paid
# only for a patent granted on or before the decision date.


def within_cap(approved_total: Decimal, fees_basis: Decimal) -> bool:
    """2 × approved ≤ official fees, in exact Decimal arithmetic (50.02 of 100.03 is over)."""
    return 2 * approved_total <= fees_basis


def granted_by(*, grant_date: datetime.date | None, legal_status: str, on: datetime.date) -> bool:
    """The patent was granted on or before ``on``: a known grant date no later than ``on`` (an
    unknown grant date cannot show that it was)."""
    return legal_status != Patent.LegalStatus.PENDING and grant_date is not None and grant_date <= on


def subsidy_violates(
    *,
    approved_total: Decimal,
    fees_basis: Decimal,
    grant_date: datetime.date | None,
    legal_status: str,
    decision_date: datetime.date,
) -> bool:
    """Whether an approved or paid subsidy decided on ``decision_date`` breaks the rule, given its
    patent's approved total and fee basis (the largest official fees stated) up to then."""
    return not within_cap(approved_total, fees_basis) or not granted_by(
        grant_date=grant_date, legal_status=legal_status, on=decision_date
    )


def subsidy_cap(fees_basis: Decimal) -> Decimal:
    """Half the fees, for the message: exact (a half cent shows as such, never rounded)."""
    return fees_basis / 2


def subsidy_cap_errors(
    *, application_no: str, subsidies: Iterable[tuple[str, Decimal | None, Decimal]]
) -> Errors:
    """The 50% rule over all subsidies of one patent, given as (status, approved, official fees).

    Each subsidy states the official fees paid for the patent so far, so the basis is the largest
    of them; the approved amounts of approved and paid subsidies may total at most half of it."""
    rows = list(subsidies)
    if not rows:
        return []
    basis = max(fees for _status, _approved, fees in rows)
    total = sum(
        (approved or Decimal(0)) for status, approved, _fees in rows if status in Subsidy.COUNTED_STATUSES
    )
    if not within_cap(total, basis):
        return [
            (
                "approved_amount",
                _(
                    "专利 %(no)s 累计批准资助 %(total)s 元，超过已缴官费 %(fees)s 元的 50%%（上限 %(cap)s 元）。"
                )
                % {"no": application_no, "total": total, "fees": basis, "cap": subsidy_cap(basis)},
            )
        ]
    return []
