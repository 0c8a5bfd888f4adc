"""Import kinds ``deals`` and ``payments``."""

from __future__ import annotations

from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patents import services as patent_services
from patents.models import Patent
from portal.imports.base import Column, Counts, Importer, choices_map, register

from .. import rules
from ..history import history_record
from ..models import Deal, Payment
from .common import STAFF_ROLES, Organizations, PatentNumbers, change_reason, report, upsert_records

# --- Deals ----------------------------------------------------------------------------------------

DEAL_KINDS = choices_map(
    Deal.Kind.choices, {"转让": "transfer", "许可": "license", "入股": "equity", "作价投资": "equity"}
)
LICENSE_SCOPES = choices_map(
    Deal.LicenseScope.choices,
    {"独占": "exclusive", "排他": "sole", "普通": "ordinary", "开放": "open", "开放许可": "open"},
)
DEAL_STATUSES = choices_map(
    Deal.Status.choices,
    {
        "签订": "signed",
        "已签署": "signed",
        "登记": "registered",
        "已备案": "registered",
        "终止": "terminated",
        "解除": "terminated",
        "已解除": "terminated",
    },
)
DEAL_COLUMNS = {
    "status": "status",
    "terminated_on": "terminated_on",
    "deal_no": "deal_no",
    "kind": "kind",
    "license_scope": "license_scope",
    "seller": "seller_credit_code",
    "buyer": "buyer_credit_code",
    "patents": "application_nos",
    "contract_date": "contract_date",
    "contract_amount": "contract_amount",
    "registration_no": "registration_no",
    "license_ends_on": "kind",
}
DEAL_FIELDS = [
    "kind",
    "license_scope",
    "seller_id",
    "buyer_id",
    "contract_date",
    "contract_amount",
    "registration_no",
    "status",
    "license_ends_on",
    "terminated_on",
]


@register
class DealImporter(Importer):
    kind = "deals"
    label = gettext_lazy("专利交易")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "deal_no": "HT2025-001",
        "kind": "转让",
        "seller_credit_code": "12150000MB0000002F",
        "buyer_credit_code": "91150602MA00000011",
        "application_nos": "202110123456.7",
        "contract_date": "2025-03-15",
        "contract_amount": "50万",
        "registration_no": "",
        "status": "已签订",
    }
    allowed_roles = STAFF_ROLES
    columns = (
        Column("deal_no", ("合同编号", "合同号", "交易编号"), required=True),
        Column("kind", ("交易类型", "类型", "交易方式"), required=True),
        Column("license_scope", ("许可方式", "许可类型", "许可范围")),
        Column(
            "seller_credit_code",
            ("转让方统一社会信用代码", "许可方统一社会信用代码", "转让方信用代码", "出让方统一社会信用代码"),
            required=True,
        ),
        Column(
            "buyer_credit_code",
            ("受让方统一社会信用代码", "被许可方统一社会信用代码", "受让方信用代码"),
            required=True,
        ),
        Column("application_nos", ("专利申请号", "申请号", "专利号"), required=True),
        Column("contract_date", ("合同日期", "签订日期", "合同签订日期"), required=True),
        Column("contract_amount", ("合同金额", "合同金额（元）", "成交金额", "交易金额"), required=True),
        Column("registration_no", ("登记号", "备案号", "合同登记号")),
        Column("status", ("状态", "合同状态", "交易状态")),
        Column("terminated_on", ("终止日期", "解除日期", "合同终止日期")),
    )

    def preload(self):
        self.organizations = Organizations()
        self.patents = PatentNumbers(with_facts=True)
        self.existing: dict[str, dict] = {}
        deal_patents: dict[int, set[int]] = {}
        for deal_id, patent_id in Deal.patents.through.objects.values_list("deal_id", "patent_id"):
            deal_patents.setdefault(deal_id, set()).add(patent_id)
        payment_dates = {
            deal_id: (first, last)
            for deal_id, first, last in Payment.objects.order_by()
            .values("deal_id")
            .annotate(first=Min("date"), last=Max("date"))
            .values_list("deal_id", "first", "last")
        }
        for values in Deal.objects.values(
            "id",
            "deal_no",
            "kind",
            "license_scope",
            "seller_id",
            "buyer_id",
            "contract_date",
            "contract_amount",
            "registration_no",
            "status",
            "fee_waived",
            "license_ends_on",
            "terminated_on",
        ):
            values["patent_ids"] = deal_patents.get(values["id"], set())
            values["first_payment"], values["last_payment"] = payment_dates.get(values["id"], (None, None))
            self.existing[values["deal_no"]] = values
        # Registration number → deal number, from the database and then from the rows of the file.
        self.registration_nos = {
            d["registration_no"]: no for no, d in self.existing.items() if d["registration_no"]
        }
        # Registrations in this file by row number, per patent (the rows are checked in order).
        self.effects: dict[int, dict[int, dict]] = {}
        self.today = timezone.localdate()

    def facts_at(self, patent_id: int, row_number: int) -> rules.PatentFacts:
        fact = self.patents.facts[patent_id]
        for number, effect in sorted(self.effects.get(patent_id, {}).items()):
            if number < row_number:
                fact = rules.after_registration(fact, **effect)
        return fact

    def clean_row(self, row):
        deal_no = row.text("deal_no", required=True, max_length=50)
        kind = row.choice("kind", DEAL_KINDS, required=True)
        scope = row.choice("license_scope", LICENSE_SCOPES, default="") or ""
        seller_id = self.organizations.resolve(row, "seller_credit_code")
        buyer_id = self.organizations.resolve(row, "buyer_credit_code")
        patent_ids = self.patents.many(row, "application_nos")
        contract_date = row.date("contract_date", required=True, not_future=True)
        old = self.existing.get(deal_no)
        # A deal entered as fee-waived in the browser may be free; the import cannot say so.
        amount = row.decimal("contract_amount", required=True, positive=not (old and old["fee_waived"]))
        registration_no = row.text("registration_no", max_length=50) or ""
        status_given = row.choice("status", DEAL_STATUSES)
        terminated_on = row.date("terminated_on", not_future=True)
        if row.failed:
            return None
        license_ends_on = old["license_ends_on"] if old and kind == Deal.Kind.LICENSE else None
        cleaned = {
            "deal_no": deal_no,
            "kind": kind,
            "license_scope": scope,
            "seller_id": seller_id,
            "buyer_id": buyer_id,
            "patent_ids": patent_ids,
            "contract_date": contract_date,
            "contract_amount": amount,
            "registration_no": registration_no,
            "license_ends_on": license_ends_on,
        }
        errors = rules.deal_terms_errors(
            kind=kind,
            license_scope=scope,
            seller_id=seller_id,
            buyer_id=buyer_id,
            contract_date=contract_date,
            contract_amount=amount,
            fee_waived=bool(old and old["fee_waived"]),
            license_ends_on=license_ends_on,
            patent_count=len(patent_ids),
            today=self.today,
        )
        registering = bool(registration_no) and not (old and old["registration_no"])
        other = self.registration_nos.setdefault(registration_no, deal_no) if registration_no else None
        if other and other != deal_no:
            errors.append(
                (
                    "registration_no",
                    _("登记号 %(no)s 已用于合同 %(deal)s。") % {"no": registration_no, "deal": other},
                )
            )
        check_patents = True
        if old:
            status = old["status"]
            if old["registration_no"] and not registration_no:
                errors.append(
                    (
                        "registration_no",
                        _("合同已登记（登记号 %(no)s），不能清除登记号。") % {"no": old["registration_no"]},
                    )
                )
            if registering and status == Deal.Status.TERMINATED:
                errors.append(("registration_no", _("已终止的合同不能登记。")))
            changes = rules.registered_changes(old, cleaned)
            if changes and (old["registration_no"] or status == Deal.Status.TERMINATED):
                errors.append((changes[0], rules.locked_message()))
            if old["first_payment"] and contract_date > old["first_payment"]:
                errors.append(
                    (
                        "contract_date",
                        _("合同日期不能晚于第一笔到账日期 %(date)s。") % {"date": old["first_payment"]},
                    )
                )
            check_patents = registering or (not old["registration_no"] and bool(changes))
            cleaned["status"] = Deal.Status.REGISTERED if registering else status
        else:
            cleaned["status"] = Deal.Status.REGISTERED if registration_no else Deal.Status.SIGNED
        errors += self.status_errors(cleaned, old, status_given, terminated_on)
        if check_patents:
            errors += rules.deal_patent_errors(
                kind=kind,
                license_scope=scope,
                seller_id=seller_id,
                contract_date=contract_date,
                patents=[self.facts_at(pid, row.number) for pid in patent_ids],
            )
        report(row, errors, DEAL_COLUMNS, "deal_no")
        if not row.failed and registering:
            effect = {
                "deal_kind": kind,
                "license_scope": scope,
                "buyer_id": buyer_id,
                "buyer_name": self.organizations.names.get(buyer_id, ""),
                "contract_date": contract_date,
                "license_ends_on": license_ends_on,
            }
            for patent_id in patent_ids:
                self.effects.setdefault(patent_id, {})[row.number] = effect
        cleaned["registering"] = registering
        return cleaned

    def status_errors(
        self, cleaned: dict, old: dict | None, given: str | None, terminated_on
    ) -> rules.Errors:
        """The optional ``status`` and ``terminated_on`` columns: a termination needs its date
        (not before the contract nor the last payment); a terminated contract stays terminated;
        a registered one has a registration number. Sets ``status``, ``terminated_on`` and
        ``terminating`` (newly terminated) on ``cleaned``."""
        S = Deal.Status
        errors: rules.Errors = []
        was_terminated = bool(old and old["status"] == S.TERMINATED)
        cleaned["terminating"] = False
        if given == S.TERMINATED or (given is None and terminated_on is not None):
            if terminated_on is None:
                errors.append(("terminated_on", _("已终止的合同须填写终止日期。")))
            else:
                errors += rules.termination_errors(
                    terminated_on=terminated_on,
                    contract_date=cleaned["contract_date"],
                    last_payment=old["last_payment"] if old else None,
                    today=self.today,
                )
            cleaned["status"], cleaned["terminated_on"] = S.TERMINATED, terminated_on
            cleaned["terminating"] = not was_terminated
            return errors
        cleaned["terminated_on"] = old["terminated_on"] if was_terminated else None
        if given is None:
            return errors
        if terminated_on is not None:
            errors.append(("terminated_on", _("只有已终止的合同才填写终止日期。")))
        if was_terminated:
            errors.append(
                ("status", _("合同已于 %(date)s 终止，不能改回未终止。") % {"date": old["terminated_on"]})
            )
        elif given == S.REGISTERED and not cleaned["registration_no"]:
            errors.append(("status", _("已登记的交易须有登记号。")))
        elif given == S.SIGNED and cleaned["registration_no"]:
            errors.append(("status", _("填写了登记号的交易状态为已登记。")))
        return errors

    def key(self, cleaned):
        return cleaned["deal_no"]

    def write(self, rows) -> Counts:
        counts, _created, _changed = upsert_records(Deal, "deal_no", rows, DEAL_FIELDS)
        registering = [r for r in rows if r["registering"]]
        if registering:
            deals = Deal.objects.select_related("buyer").in_bulk(
                [r["deal_no"] for r in registering], field_name="deal_no"
            )
            patents = Patent.objects.in_bulk({pid for r in registering for pid in r["patent_ids"]})
            for data in registering:  # in file order: a chain of transfers is applied as written
                deal = deals[data["deal_no"]]
                for patent_id in data["patent_ids"]:
                    patent = patents[patent_id]
                    if deal.kind in Deal.OWNERSHIP_KINDS:
                        patent_services.patent_record_transfer(
                            patent=patent, new_owner=deal.buyer, transferred_on=deal.contract_date
                        )
                    elif deal.kind == Deal.Kind.LICENSE:
                        patent_services.patent_record_license(
                            patent=patent,
                            scope=deal.license_scope,
                            licensed_on=deal.contract_date,
                            ends_on=deal.license_ends_on,
                        )
        self.end_exclusive_licenses([r for r in rows if r["terminating"]])
        return counts

    def end_exclusive_licenses(self, rows: list[dict]) -> None:
        """As ``deal_terminate``: a terminated registered exclusive or sole license stops
        excluding others on its termination date."""
        for data in rows:
            if not (
                data["registration_no"]
                and data["kind"] == Deal.Kind.LICENSE
                and data["license_scope"] in Deal.EXCLUSIVE_SCOPES
            ):
                continue
            Patent.objects.filter(
                pk__in=data["patent_ids"], exclusive_license_until__gt=data["terminated_on"]
            ).update(exclusive_license_until=data["terminated_on"], updated_at=timezone.now())


# --- Payments -------------------------------------------------------------------------------------


@register
class PaymentImporter(Importer):
    kind = "payments"
    label = gettext_lazy("交易到账款项")
    # The example row of the downloadable template (portal.imports.templates), by column name.
    example = {
        "deal_no": "HT2025-001",
        "date": "2025-04-01",
        "amount": "20万",
    }
    allowed_roles = STAFF_ROLES
    columns = (
        Column("deal_no", ("合同编号", "合同号", "交易编号"), required=True),
        Column("date", ("到账日期", "日期", "支付日期", "付款日期"), required=True),
        Column("amount", ("到账金额", "金额", "实际到账金额", "支付金额"), required=True),
    )

    def preload(self):
        self.deals = {
            deal_no: (pk, contract_date, terminated_on)
            for pk, deal_no, contract_date, terminated_on in Deal.objects.values_list(
                "id", "deal_no", "contract_date", "terminated_on"
            )
        }
        self.today = timezone.localdate()

    def clean_row(self, row):
        deal_no = row.text("deal_no", required=True, max_length=50)
        date = row.date("date", required=True, not_future=True)
        amount = row.decimal("amount", required=True, positive=True)
        deal = self.deals.get(deal_no) if deal_no else None
        if deal_no and deal is None:
            row.error("deal_no", _("交易不存在：%(no)s（请先导入交易）") % {"no": deal_no})
        if row.failed:
            return None
        deal_id, contract_date, terminated_on = deal
        errors = rules.payment_errors(
            date=date,
            amount=amount,
            contract_date=contract_date,
            terminated_on=terminated_on,
            today=self.today,
        )
        report(row, errors, {"date": "date", "amount": "amount"}, "deal_no")
        return {"deal_id": deal_id, "date": date, "amount": amount}

    def key(self, cleaned):
        return (cleaned["deal_id"], cleaned["date"], cleaned["amount"])

    def write(self, rows) -> Counts:
        existing = set(
            Payment.objects.filter(deal_id__in={r["deal_id"] for r in rows}).values_list(
                "deal_id", "date", "amount"
            )
        )
        new = [Payment(**r) for r in rows if (r["deal_id"], r["date"], r["amount"]) not in existing]
        created = Payment.objects.bulk_create(new)
        history_record(Payment, created, history_type="+", reason=change_reason())
        return Counts(created=len(created), unchanged=len(rows) - len(created))
