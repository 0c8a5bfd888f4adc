"""Notifications are rendered from their text code when read, in the reader's language; rows
stored before the codes show their stored text."""

import pytest
from django.utils import translation

from matching.models import Notification
from matching.notification_texts import notification_body, notification_title
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

PARAMS = {
    "owner": "鄂尔多斯星河理工学院（演示）",
    "n": 1,
    "lines": [
        {
            "patent": "一种液压支架电液控制系统",
            "no": "201920850076.1",
            "score": 66,
            "reasons": ["共同关键词：电液（标题／摘要）", "同属产业：煤炭"],
            "demand_code": "D2025-0002",
            "demand_title": "液压支架电液控制系统",
        }
    ],
    "more": 0,
}


def _notification(**fields):
    return Notification.objects.create(user=UserFactory(), kind=Notification.Kind.MATCH, **fields)


def test_a_coded_notification_reads_in_each_language():
    n = _notification(title="stored", body="stored", text_code="match.owner", text_params=PARAMS)
    with translation.override("zh-hans"):
        assert notification_title(n) == "鄂尔多斯星河理工学院（演示）的 1 项专利匹配到新的技术需求"
        body = notification_body(n)
        assert body.startswith("• 专利“一种液压支架电液控制系统”（201920850076.1）↔ 需求 D2025-0002")
        assert "匹配度 66%：共同关键词：电液（标题／摘要）；同属产业：煤炭" in body
    with translation.override("en"):
        title = notification_title(n)
        assert "鄂尔多斯星河理工学院（演示）" in title and "匹配" not in title
        body = notification_body(n)
        assert "Shared key terms: 电液 (" in body and "Same industry: Coal" in body and "匹配度" not in body


def test_an_old_row_shows_its_stored_text():
    n = _notification(title="旧通知标题", body="旧通知内容")
    with translation.override("en"):
        assert notification_title(n) == "旧通知标题" and notification_body(n) == "旧通知内容"
    broken = _notification(title="旧", body="", text_code="match.owner", text_params={"owner": "x"})
    assert notification_title(broken) == "旧"


def test_a_code_alone_stores_its_text_in_the_default_language():
    """notification_create renders the stored copy from the code (in Chinese, whatever language the
    acting user reads in) and every reader still sees it in their own."""
    from matching.services.notifications import notification_create

    user = UserFactory()
    params = {"no": "HT2025000001", "patent": "一种液压支架电液控制系统"}
    with translation.override("en"):
        (n,) = notification_create(
            kind="status", users=[user], text_code="contract.signed", text_params=params
        )
    assert n.title == "合同 HT2025000001 已签订，交易已记录" and n.body == "一种液压支架电液控制系统"
    with translation.override("en"):
        assert "HT2025000001" in notification_title(n) and "合同" not in notification_title(n)
    with pytest.raises(ValueError):
        notification_create(kind="status", users=[user])
