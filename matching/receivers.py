"""Matching's answers to what other apps announce: notifications of events it does not own."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from patents.signals import listing_reviewed

from .services.notifications import notification_create, owner_side_organization_ids


@receiver(listing_reviewed, dispatch_uid="matching.notify_listing_reviewed")
def notify_listing_reviewed(sender, *, patent, approved: bool, note: str, reviewer, **kwargs) -> None:
    """Tell the owner and the agencies acting for it how the review of their listing ended."""
    if approved:
        title = _("专利挂牌已通过审核：%(title)s") % {"title": patent.title}
        body = _("已在专利超市公开，挂牌有效期至 %(until)s。") % {"until": patent.listed_until}
        url = reverse("patents:detail", kwargs={"application_no": patent.application_no})
    else:
        title = _("专利挂牌被退回：%(title)s") % {"title": patent.title}
        body = _("审核意见：%(note)s") % {"note": note}
        url = reverse("patents:edit", kwargs={"application_no": patent.application_no})
    notification_create(
        kind="status",
        title=title,
        body=body,
        url=url,
        organization_ids=owner_side_organization_ids([patent.owner_id])[patent.owner_id],
        exclude_user=reviewer,
    )
