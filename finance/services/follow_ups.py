"""Follow-up after a deal: 6 and 12 months after the contract date the acquiring SME is asked
whether the patent is in use, in which product, with what revenue and how many jobs. Each answer
is a new revision (``FollowUpAnswer``); the follow-up repeats the latest for the figures."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Notification
from matching.services.notifications import notification_create
from patents import services as patent_services
from portal.models import Organization
from portal.permissions import Actor

from .. import permissions
from ..models import Deal, FollowUp, FollowUpAnswer

__all__ = ["add_months", "follow_up_answer", "follow_up_request_due"]

# Deals whose follow-up fell due longer ago than this are not asked any more (the job catches up
# after an outage, it does not survey deals of past years when it is first switched on).
DEFAULT_CATCH_UP_DAYS = 60
MAX_PRODUCT = 200


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _catch_up_days() -> int:
    return int(getattr(settings, "FINANCE_FOLLOW_UP_CATCH_UP_DAYS", DEFAULT_CATCH_UP_DAYS))


def _url(follow_up: FollowUp) -> str:
    return reverse("finance:follow-up-detail", kwargs={"pk": follow_up.pk})


@transaction.atomic
def follow_up_request_due(*, today: datetime.date | None = None) -> int:
    """The daily job: create the 6- and 12-month follow-ups that fell due (within the catch-up
    window) for deals bought by SMEs and not terminated, and ask the SME in the portal and by
    e-mail. Idempotent (one follow-up per deal and month count). Returns how many were created."""
    today = today or timezone.localdate()
    window = datetime.timedelta(days=_catch_up_days())
    created = 0
    for months in FollowUp.MONTHS:
        latest_contract = add_months(today, -months)
        earliest_contract = add_months(today - window, -months)
        deals = (
            Deal.objects.filter(
                contract_date__lte=latest_contract,
                contract_date__gte=earliest_contract,
                buyer__kind=Organization.Kind.SME,
            )
            .exclude(status=Deal.Status.TERMINATED)
            .exclude(follow_ups__months=months)
            .select_related("buyer")
            .order_by("pk")
        )
        for deal in deals:
            follow_up, is_new = FollowUp.objects.get_or_create(
                deal=deal,
                months=months,
                defaults={
                    "due_on": add_months(deal.contract_date, months),
                    "organization": deal.buyer,
                },
            )
            if not is_new:
                continue
            created += 1
            params = {"no": deal.deal_no, "months": months}
            notification_create(
                kind=Notification.Kind.SYSTEM,
                url=_url(follow_up),
                organization_ids=[deal.buyer_id],
                text_code="followup.due",
                text_params=params,
            )
    return created


@transaction.atomic
def follow_up_answer(
    *,
    follow_up: FollowUp,
    actor: Actor,
    implemented: bool,
    product: str = "",
    revenue: Decimal | None = None,
    jobs: int | None = None,
    notes: str = "",
) -> FollowUpAnswer:
    """The SME answers (or corrects its answer): a new revision, earlier ones are kept. A patent
    reported in use is marked implemented (it is no longer dormant)."""
    if not permissions.can_answer_follow_up(actor, follow_up):
        raise PermissionDenied(_("只有受让企业可以填报回访。"))
    follow_up = FollowUp.objects.select_for_update().select_related("deal").get(pk=follow_up.pk)
    product = (product or "").strip()
    revenue = Decimal("0.00") if revenue is None else revenue
    jobs = 0 if jobs is None else jobs
    errors: dict[str, list[str]] = {}
    if implemented and not product:
        errors["product"] = [_("已实施的，请填写实施该专利的产品。")]
    if len(product) > MAX_PRODUCT:
        errors["product"] = [_("产品名称不能超过 %(n)d 字。") % {"n": MAX_PRODUCT}]
    if revenue < 0:
        errors["revenue"] = [_("收入不能为负数。")]
    if jobs < 0:
        errors["jobs"] = [_("就业人数不能为负数。")]
    if errors:
        raise ValidationError(errors)
    last = follow_up.answers.aggregate(last=Max("revision"))["last"] or 0
    answer = FollowUpAnswer(
        follow_up=follow_up,
        revision=last + 1,
        implemented=implemented,
        product=product,
        revenue=revenue,
        jobs=jobs,
        notes=(notes or "").strip(),
        answered_by=actor.user,
    )
    answer.full_clean()
    answer.save()
    follow_up.status = FollowUp.Status.ANSWERED
    follow_up.answered_at = timezone.now()
    follow_up.implemented, follow_up.product = implemented, product
    follow_up.revenue, follow_up.jobs = revenue, jobs
    follow_up.save(
        update_fields=["status", "answered_at", "implemented", "product", "revenue", "jobs", "updated_at"]
    )
    if implemented:
        for patent in follow_up.deal.patents.filter(implemented=False):
            patent_services.patent_record_implemented(patent=patent)
    return answer
