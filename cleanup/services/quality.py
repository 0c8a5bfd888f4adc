"""The weekly data-quality summary: counts compared with the last recorded ones; a rise is
e-mailed to the city bureau."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from portal.models import Membership, Organization

from ..checks import CheckResult, run_checks
from ..models import QualityCount


def bureau_recipients() -> list[str]:
    """City bureau staff (no district) who take e-mail, and active superusers with an address."""
    staff = Membership.objects.filter(
        organization__kind=Organization.Kind.GOVERNMENT,
        organization__verified=True,
        district__isnull=True,
        email_notifications=True,
        user__is_active=True,
    ).values_list("user__email", flat=True)
    admins = (
        get_user_model().objects.filter(is_superuser=True, is_active=True).values_list("email", flat=True)
    )
    return sorted({email for email in [*staff, *admins] if email})


def _body(results: list[CheckResult], previous: dict[str, int], base_url: str) -> str:
    lines = [_("数据质量检查（每周）："), ""]
    for result in results:
        before = previous.get(result.code)
        change = "" if before is None else f"（{before} → {result.count}）"
        lines.append(f"- {result.title} [{result.code}]: {result.count}{change}")
        if result.count:
            lines.append(f"  {base_url}{result.url}")
    return "\n".join(lines)


@transaction.atomic
def data_quality_notify(*, base_url: str = "") -> dict:
    """Run every check, store the counts, and e-mail the bureau when a count rose since the last
    run (the first run only records). Returns {"counts": ..., "rose": [codes], "sent_to": n}."""
    results = run_checks()
    previous = dict(QualityCount.objects.values_list("code", "count"))
    rose = [r.code for r in results if r.code in previous and r.count > previous[r.code]]
    for result in results:
        QualityCount.objects.update_or_create(code=result.code, defaults={"count": result.count})
    recipients = bureau_recipients() if rose else []
    if recipients:
        subject = _("数据质量：%(n)d 项检查的问题记录增加") % {"n": len(rose)}
        body = _body(results, previous, base_url)
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )
    return {"counts": {r.code: r.count for r in results}, "rose": rose, "sent_to": len(recipients)}
