"""The patent pages: browse, detail, inventory, create/edit, review, open license, bulletins,
navigation projects; and that an institution cannot touch another's patents."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from patents import ipc, services
from patents.models import NavigationProject, Patent
from tests.patents.factories import (
    InstitutionFactory,
    PatentFactory,
    agency_for,
    app_no,
    industry,
    institution_user,
    make_user,
)

pytestmark = pytest.mark.django_db


def detail_url(patent):
    return reverse("patents:detail", args=[patent.application_no])


def test_browse_page_is_public_with_count_filters_and_empty_state(client):
    PatentFactory(
        published=True, title="一种煤矿巷道支护装置", industries=[industry("coal")], ipc_codes="E21D 23/00"
    )
    PatentFactory(published=True, title="一种羊绒纺纱方法", ipc_codes="D01G 15/00")
    PatentFactory(title="未发布的煤矿专利")
    response = client.get(reverse("patents:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "共 <strong>2</strong> 件专利" in body
    assert "未发布的煤矿专利" not in body
    subclass_title = ipc.title_of("E21D")
    assert subclass_title and "E21D 23/00" in body and subclass_title[:10] in body  # codes shown with titles
    assert "H 电学" in body  # the IPC section picker carries titles
    response = client.get(reverse("patents:list"), {"q": "煤矿"})
    assert (
        "一种煤矿巷道支护装置" in response.content.decode()
        and "羊绒" not in response.content.decode().split("result-count")[1]
    )
    response = client.get(reverse("patents:list"), {"q": "不存在的技术"})
    assert "没有找到符合条件的专利" in response.content.decode()


def test_ipc_subclass_picker_partial(client):
    response = client.get(reverse("patents:ipc-subclasses"), {"ipc_class": "H01"})
    assert response.status_code == 200 and "H01M" in response.content.decode()


def test_detail_shows_public_fields_years_remaining_and_public_contact_only(client):
    patent = PatentFactory(published=True, ipc_codes="H01M 10/052; H01M 4/58")
    patent.owner.contact_name, patent.owner.contact_phone = "王老师", "13800000000"
    patent.owner.save()
    body = client.get(detail_url(patent)).content.decode()
    assert patent.title in body and patent.application_no in body
    assert "二次电池" in body  # main-group title of H01M 10/00
    assert "剩余" in body and "年" in body
    assert "技术转移中心 0477-1234567" in body  # organization.public_contact
    assert "13800000000" not in body and "王老师" not in body  # no personal data for anonymous users
    assert "咨询" in body
    sme = make_user("sme")
    client.force_login(sme)
    assert (
        "王老师" not in client.get(detail_url(patent)).content.decode()
    )  # released by an accepted inquiry only
    client.force_login(make_user("institution", organization=patent.owner))
    assert "王老师" in client.get(detail_url(patent)).content.decode()


def test_drafts_are_404_for_everyone_but_their_owner(client):
    patent = PatentFactory()
    assert client.get(detail_url(patent)).status_code == 404
    client.force_login(institution_user())
    assert client.get(detail_url(patent)).status_code == 404
    client.force_login(institution_user(patent.owner))
    assert client.get(detail_url(patent)).status_code == 200


def test_an_institution_cannot_edit_or_act_on_another_institutions_patent(client):
    theirs = PatentFactory(published=True, title="别人的专利")
    client.force_login(institution_user())
    assert client.get(reverse("patents:edit", args=[theirs.application_no])).status_code == 404
    response = client.post(reverse("patents:edit", args=[theirs.application_no]), {"title": "改掉"})
    assert response.status_code == 404
    assert client.post(reverse("patents:withdraw", args=[theirs.application_no])).status_code == 403
    assert client.post(reverse("patents:delete", args=[theirs.application_no])).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.title, theirs.listing_status) == ("别人的专利", "published")


def test_create_edit_submit_review_publish_flow(client):
    owner = InstitutionFactory()
    client.force_login(institution_user(owner))
    response = client.post(
        reverse("patents:create"),
        {
            "application_no": "ZL 202110123456.7",
            "owner": owner.pk,
            "title": "一种煤矿井下无线传感器网络定位方法",
            "abstract": "本发明涉及煤矿安全监测。",
            "ipc_codes": "H04W64/00; G01S5/02",
            "application_date": "2021-05-10",
            "legal_status": "granted",
            "industries": [industry("coal").pk],
            "deal_kinds": ["transfer", "license"],
            "asking_price": "200000",
            "trl": "6",
        },
    )
    patent = Patent.objects.get()
    assert response.status_code == 302 and response.url == detail_url(patent)
    assert patent.application_no == "202110123456.7" and patent.ipc_main == "H04W 64/00"
    assert patent.offers_transfer and patent.offers_license and not patent.offers_equity
    response = client.post(
        reverse("patents:edit", args=[patent.application_no]),
        {
            "title": "一种煤矿井下定位方法",
            "legal_status": "granted",
            "deal_kinds": ["license"],
            "ipc_codes": "H04W 64/00",
        },
    )
    assert response.status_code == 302
    patent.refresh_from_db()
    assert patent.title == "一种煤矿井下定位方法" and not patent.offers_transfer
    client.post(reverse("patents:submit", args=[patent.application_no]))
    patent.refresh_from_db()
    assert patent.listing_status == "submitted"

    client.force_login(make_user("bureau"))
    queue = client.get(reverse("patents:review")).content.decode()
    assert patent.title in queue
    client.post(reverse("patents:review-decide", args=[patent.application_no]), {"decision": "approve"})
    patent.refresh_from_db()
    assert patent.listing_status == "published"


def test_form_errors_are_shown_not_raised(client):
    owner = InstitutionFactory()
    client.force_login(institution_user(owner))
    response = client.post(
        reverse("patents:create"),
        {"application_no": "202110123456.1", "owner": owner.pk, "title": "x", "legal_status": "granted"},
    )
    assert response.status_code == 200
    assert "校验位错误：应为 7" in response.content.decode()
    response = client.post(
        reverse("patents:create"),
        {
            "application_no": "202110123456.7",
            "owner": owner.pk,
            "title": "x",
            "legal_status": "granted",
            "ipc_codes": "Z99",
        },
    )
    assert response.status_code == 200 and "格式不正确" in response.content.decode()
    assert not Patent.objects.exists()


def test_reject_with_note_from_the_review_page(client):
    patent = PatentFactory(listing_status="submitted")
    client.force_login(make_user("bureau"))
    client.post(
        reverse("patents:review-decide", args=[patent.application_no]),
        {"decision": "reject", "note": "摘要过短"},
    )
    patent.refresh_from_db()
    assert (patent.listing_status, patent.review_note) == ("draft", "摘要过短")


def test_review_page_is_for_reviewers_only(client):
    client.force_login(institution_user())
    assert client.get(reverse("patents:review")).status_code == 403
    client.force_login(make_user("sme"))
    assert client.get(reverse("patents:review")).status_code == 403


def test_inventory_lists_own_patents_with_actions_and_counts(client):
    owner = InstitutionFactory()
    mine = PatentFactory(owner=owner, title="本单位专利甲")
    PatentFactory(owner=owner, published=True, title="本单位专利乙")
    PatentFactory(published=True, title="别人的专利丙")
    client.force_login(institution_user(owner))
    body = client.get(reverse("patents:mine")).content.decode()
    assert "本单位专利甲" in body and "本单位专利乙" in body and "别人的专利丙" not in body
    assert reverse("patents:submit", args=[mine.application_no]) in body
    body = client.get(reverse("patents:mine"), {"status": "published"}).content.decode()
    assert "本单位专利甲" not in body and "本单位专利乙" in body


def test_inventory_offers_no_listing_to_a_lapsed_patent(client):
    # The service refuses to list a patent no longer in force: its row says so instead of offering
    # a submit button that would only fail.
    owner = InstitutionFactory()
    lapsed = PatentFactory(owner=owner, title="已失效的专利", legal_status=Patent.LegalStatus.LAPSED)
    client.force_login(institution_user(owner))
    body = client.get(reverse("patents:mine")).content.decode()
    assert "已失效的专利" in body and "已失效，不能挂牌" in body
    assert reverse("patents:submit", args=[lapsed.application_no]) not in body


def test_inventory_is_not_for_smes(client):
    client.force_login(make_user("sme"))
    assert client.get(reverse("patents:mine")).status_code == 403
    assert client.get(reverse("patents:export")).status_code == 403


def test_agency_manages_its_clients_inventory(client):
    a, b = InstitutionFactory(name="甲大学"), InstitutionFactory(name="乙研究院", kind="institute")
    PatentFactory(owner=a, title="甲的专利")
    PatentFactory(owner=b, title="乙的专利")
    client.force_login(agency_for(a, b))
    body = client.get(reverse("patents:mine")).content.decode()
    assert "甲的专利" in body and "乙的专利" in body
    body = client.get(reverse("patents:mine"), {"owner": b.credit_code}).content.decode()
    assert "甲的专利" not in body and "乙的专利" in body
    assert client.get(reverse("patents:mine"), {"owner": InstitutionFactory().credit_code}).status_code == 404


def test_export_round_trips_through_the_import(client, tmp_path):
    from django.core.management import call_command

    owner = InstitutionFactory()
    PatentFactory(
        owner=owner, published=True, industries=[industry("coal")], ipc_codes="E21D 23/00; E21D 15/00"
    )
    PatentFactory(owner=owner, asking_price=None, keywords="液压;支架", open_license=True)
    client.force_login(institution_user(owner))
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("patents:export"), {"format": fmt})
        assert response.status_code == 200
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(response.content)
        out = io.StringIO()
        call_command("import_data", "patents", str(path), stdout=out)
        assert out.getvalue().strip() == "created 0, updated 0, unchanged 2"
    workbook = openpyxl.load_workbook(path)
    header = [cell.value for cell in next(workbook.active.iter_rows())]
    # The header in the reader's language (Chinese here), which the import reads back (above).
    assert header[:3] == ["申请号", "专利名称", "摘要"] and "权利人统一社会信用代码" in header


def test_open_license_declaration_page(client):
    patent = PatentFactory(published=True)
    client.force_login(institution_user(patent.owner))
    today = timezone.localdate()
    url = reverse("patents:open-license", args=[patent.application_no])
    response = client.post(
        url, {"fee_mode": "royalty", "starts_on": today, "ends_on": today + dt.timedelta(days=100)}
    )
    assert response.status_code == 200 and "至少为一年" in response.content.decode()
    response = client.post(
        url,
        {
            "fee_mode": "royalty",
            "royalty_rate": "3",
            "starts_on": today,
            "ends_on": today.replace(year=today.year + 2),
        },
    )
    assert response.status_code == 302
    patent.refresh_from_db()
    assert patent.open_license
    assert "提成" in client.get(detail_url(patent)).content.decode()


def test_bulletin_pages_and_xlsx(client):
    patent = PatentFactory(published=True, title="本月新挂牌专利")
    bulletin = services.supply_bulletin_publish(month=timezone.localdate())
    body = client.get(reverse("patents:bulletin-list")).content.decode()
    assert f"{bulletin.month.month} 月" in body
    args = [bulletin.month.year, bulletin.month.month]
    assert "本月新挂牌专利" in client.get(reverse("patents:bulletin-detail", args=args)).content.decode()
    response = client.get(reverse("patents:bulletin-xlsx", args=args))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet["B3"].value == patent.application_no and sheet["A1"].value == bulletin.title
    assert client.get(reverse("patents:bulletin-detail", args=[1999, 1])).status_code == 404


def test_navigation_projects_public_list_and_staff_crud(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    NavigationProject.objects.create(
        title="乳业专利导航", kind="industry_planning", year_started=2022, industry=industry("dairy")
    )
    assert "乳业专利导航" in client.get(reverse("patents:navigation-list")).content.decode()
    assert client.get(reverse("patents:navigation-create")).status_code == 302  # login first
    client.force_login(institution_user())
    assert client.get(reverse("patents:navigation-create")).status_code == 403
    client.force_login(make_user("bureau"))
    response = client.post(
        reverse("patents:navigation-create"),
        {
            "title": "羊绒产业专利导航",
            "kind": "regional_planning",
            "year_started": "2024",
            "status": "in_progress",
            "report_file": SimpleUploadedFile("report.pdf", b"%PDF-1.4 test"),
            "report_public": "on",
        },
    )
    project = NavigationProject.objects.get(title="羊绒产业专利导航")
    assert response.status_code == 302
    client.logout()
    response = client.get(reverse("patents:navigation-report", args=[project.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 test"
    project.report_public = False
    project.save()
    assert client.get(reverse("patents:navigation-report", args=[project.pk])).status_code == 404


def test_lower_case_check_character_in_urls_resolves(client):
    number = next(app_no(n) for n in range(1, 100) if app_no(n).endswith("X"))
    patent = PatentFactory(published=True, application_no=number)
    assert client.get(f"/patents/{patent.application_no.lower()}/").status_code == 200


def test_cached_filter_sidebar_follows_the_filters_and_the_language(client, django_assert_max_num_queries):
    """The sidebar is cached per filter selection and language: a cached copy never shows another
    selection's checked boxes, nor Chinese to someone who chose English."""
    coal = industry("coal")
    PatentFactory(published=True, title="一种煤矿巷道支护装置", industries=[coal])
    url = reverse("patents:list")
    checked = 'value="{}" id="f-industry-{}" checked'

    first = client.get(url).content.decode()
    assert "H 电学" in first and checked.format("coal", "coal") not in first
    with django_assert_max_num_queries(6):  # cached: no query for industries, regions or the IPC tree
        again = client.get(url, {"page": "1", "sort": "price"}).content.decode()
    assert again.split("<aside")[1].split("</aside>")[0] == first.split("<aside")[1].split("</aside>")[0]

    coal_page = client.get(url, {"industry": "coal"}).content.decode()
    assert checked.format("coal", "coal") in coal_page and checked.format("dairy", "dairy") not in coal_page
    assert "清除全部" in coal_page
    both = client.get(url, {"industry": ["dairy", "coal"]}).content.decode()
    assert checked.format("coal", "coal") in both and checked.format("dairy", "dairy") in both
    assert checked.format("coal", "coal") not in client.get(url).content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    sidebar = english.split("<aside")[1].split("</aside>")[0]
    assert 'id="f-industry-coal"' in sidebar and "Filter" in sidebar and "筛选" not in sidebar


def test_industries_and_districts_are_named_in_the_reader_s_language(client):
    coal = industry("coal")
    assert coal.name_en  # shipped with the reference data
    patent = PatentFactory(published=True, title="一种煤矿巷道支护装置", industries=[coal])
    district = patent.owner.region
    assert district is not None and district.name_en
    url = reverse("patents:list")
    chinese = client.get(url).content.decode()
    assert f">{coal.name}</span>" in chinese and f" · {district.name}</span>" in chinese
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert f">{coal.name_en}</span>" in english and f">{coal.name}</span>" not in english
    assert f" · {district.name_en}</span>" in english


def test_keyword_searches_share_the_sidebar_but_keep_their_clear_all_link(
    client, django_assert_max_num_queries
):
    PatentFactory(published=True, title="一种煤矿巷道支护装置", industries=[industry("coal")])
    url = reverse("patents:list")
    assert "清除全部" not in client.get(url).content.decode()
    assert "清除全部" in client.get(url, {"q": "煤矿"}).content.decode()
    with django_assert_max_num_queries(6):  # the sidebar cached by the first keyword search
        page = client.get(url, {"q": "支护"}).content.decode()
    assert "清除全部" in page and 'value="支护"' in page
    assert "清除全部" not in client.get(url).content.decode()


def test_cached_patent_cards_follow_edits_owners_and_language(client):
    patent = PatentFactory(published=True, title="一种煤矿巷道支护装置", industries=[industry("coal")])
    url = reverse("patents:list")
    assert "一种煤矿巷道支护装置" in client.get(url).content.decode()
    patent.title = "一种煤矿巷道液压支护装置"
    patent.save()
    patent.owner.name = "改名后的研究院"
    patent.owner.save()
    page = client.get(url).content.decode()
    assert "一种煤矿巷道液压支护装置" in page and "改名后的研究院" in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Remaining term" in english
    assert "剩余保护期" not in english


def test_cached_patent_description_follows_edits_and_language(client):
    patent = PatentFactory(published=True, title="一种煤矿巷道支护装置", abstract="原摘要：支护装置。")
    url = detail_url(patent)
    assert "原摘要：支护装置。" in client.get(url).content.decode()
    patent.abstract = "新摘要：液压支护装置。"
    patent.save()
    page = client.get(url).content.decode()
    assert "新摘要：液压支护装置。" in page and "原摘要" not in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(url).content.decode()
    assert "Abstract" in english and ">摘要<" not in english
