"""Link existing deals to the inquiries that led to them, where the free-text references identify
the inquiry unambiguously: the inquiry's ``deal_reference`` is the deal's contract number, or the
deal's ``source_reference`` names the inquiry's number (``#12``, ``咨询12``, ``inquiry 12``, ``12``);
the inquiry was agreed, asked by the deal's buyer about one of the deal's patents; and neither
side has another candidate. Everything else is left as it was (the references stay)."""

import re
from collections import defaultdict

from django.db import migrations

REFERENCE = re.compile(r"^\s*(?:(?:咨询|对接|inquiry|inq)\s*[#:：]?\s*|#)?(\d{1,9})\s*$", re.IGNORECASE)


def inquiry_number(reference: str) -> int | None:
    match = REFERENCE.match(reference or "")
    return int(match.group(1)) if match else None


def link(apps, schema_editor):
    Deal = apps.get_model("finance", "Deal")
    Inquiry = apps.get_model("matching", "Inquiry")
    DealPatent = apps.get_model("finance", "DealPatent")
    agreed = {
        inquiry.pk: inquiry
        for inquiry in Inquiry.objects.filter(status="agreed").only(
            "pk", "patent_id", "organization_id", "deal_reference"
        )
    }
    if not agreed:
        return
    by_reference = defaultdict(list)
    for inquiry in agreed.values():
        if inquiry.deal_reference.strip():
            by_reference[inquiry.deal_reference.strip()].append(inquiry.pk)
    taken = set(Deal.objects.filter(inquiry__isnull=False).values_list("inquiry_id", flat=True))
    patents = defaultdict(set)
    for deal_id, patent_id in DealPatent.objects.values_list("deal_id", "patent_id"):
        patents[deal_id].add(patent_id)
    candidates = {}
    for deal in Deal.objects.filter(inquiry__isnull=True).only(
        "pk", "deal_no", "source_reference", "buyer_id"
    ):
        found = set(by_reference.get(deal.deal_no.strip(), []))
        number = inquiry_number(deal.source_reference)
        if number in agreed:
            found.add(number)
        found = {
            pk
            for pk in found
            if agreed[pk].organization_id == deal.buyer_id and agreed[pk].patent_id in patents[deal.pk]
        }
        if len(found) == 1:
            candidates[deal.pk] = found.pop()
    claims = defaultdict(list)
    for deal_id, inquiry_id in candidates.items():
        claims[inquiry_id].append(deal_id)
    for inquiry_id, deal_ids in claims.items():
        if len(deal_ids) == 1 and inquiry_id not in taken:
            Deal.objects.filter(pk=deal_ids[0]).update(inquiry_id=inquiry_id)


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0004_deal_links_contracts_follow_ups"),
        ("matching", "0003_merge_event_status_and_match_tier"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
