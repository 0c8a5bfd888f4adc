"""Review of organizations by bureau staff and district officers."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.errors import ApplicationError
from portal.models import Organization
from portal.permissions import Role, actor_for
from portal.selectors import organization_list
from portal.services import organization_unverify, organization_verify
from tests.portal.factories import OrganizationFactory, make_user, region

pytestmark = pytest.mark.django_db

REVIEW = reverse("portal:organization-review")


def verify_url(org):
    return reverse("portal:organization-verify", args=[org.pk])


def unverify_url(org):
    return reverse("portal:organization-unverify", args=[org.pk])


def fresh_actor(user):
    user.refresh_from_db()
    user.__dict__.pop("_portal_actor", None)
    return actor_for(user)


def test_signup_then_bureau_verifies_then_role_is_effective(client, django_capture_on_commit_callbacks):
    client.post(
        reverse("portal:signup"),
        {
            "username": "lab",
            "email": "lab@example.com",
            "password1": "Grassland-Tech-2024",
            "password2": "Grassland-Tech-2024",
            "organization_name": "内蒙古某大学",
            "credit_code": "12150602510000000T",
            "kind": Organization.Kind.UNIVERSITY,
            "region": "outside",
            "contact_name": "孙老师",
            "contact_phone": "0471-6666666",
        },
    )
    organization = Organization.objects.get(credit_code="12150602510000000T")
    applicant = organization.memberships.get().user
    actor = fresh_actor(applicant)
    assert actor.role == Role.INSTITUTION and not actor.is_verified

    client.force_login(make_user(Role.BUREAU))
    listing = client.get(REVIEW)
    assert listing.status_code == 200
    assert organization in listing.context["organizations"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify_url(organization), {"next": REVIEW + "?status=pending"})
    assert response.status_code == 302
    assert response.url == REVIEW + "?status=pending"
    organization.refresh_from_db()
    assert organization.verified and organization.verified_at is not None
    actor = fresh_actor(applicant)
    assert actor.role == Role.INSTITUTION and actor.is_verified
    # The applicant hears about it, and the pending banner is gone.
    assert [m.to for m in mail.outbox] == [["lab@example.com"]]
    assert "通过" in mail.outbox[0].subject
    client.force_login(applicant)
    assert "您的单位正在等待审核" not in client.get(reverse("portal:home")).text


def test_revoke_verification_keeps_the_organization(client, django_capture_on_commit_callbacks):
    sme = make_user(Role.SME)
    organization = sme.membership.organization
    client.force_login(make_user(Role.BUREAU))
    # Without JavaScript the first POST asks for confirmation, keeping the reason, and changes nothing.
    response = client.post(unverify_url(organization), {"reason": "营业执照已注销"})
    assert response.status_code == 200 and 'id="confirm-page"' in response.text
    assert (
        'name="reason" value="营业执照已注销"' in response.text
        and 'name="confirmed" value="1"' in response.text
    )
    organization.refresh_from_db()
    assert organization.verified
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(unverify_url(organization), {"reason": "营业执照已注销", "confirmed": "1"})
    assert response.status_code == 302
    organization.refresh_from_db()
    assert not organization.verified and organization.verified_at is None
    assert "营业执照已注销" in mail.outbox[0].body
    client.force_login(sme)
    assert "您的单位正在等待审核" in client.get(reverse("portal:home")).text


def test_mail_respects_email_notifications_flag(django_capture_on_commit_callbacks):
    applicant = make_user(Role.SME, verified=False)
    membership = applicant.membership
    membership.email_notifications = False
    membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        organization_verify(organization=membership.organization, actor=actor_for(make_user(Role.BUREAU)))
    assert mail.outbox == []


def test_verifying_twice_is_an_application_error(client):
    organization = OrganizationFactory(verified=True)
    with pytest.raises(ApplicationError):
        organization_verify(organization=organization, actor=actor_for(make_user(Role.BUREAU)))
    client.force_login(make_user(Role.BUREAU))
    response = client.post(verify_url(organization), follow=True)
    assert "已经通过认证" in response.text


def test_district_officer_sees_only_their_district(client):
    own = OrganizationFactory(verified=False, region=region("150622"), name="准格尔旗待审企业")
    other = OrganizationFactory(verified=False, region=region("150602"), name="东胜区待审企业")
    outside = OrganizationFactory(verified=False, region=None, name="市外待审高校")
    officer = make_user(Role.DISTRICT_OFFICER, district="150622")
    client.force_login(officer)

    response = client.get(REVIEW)
    assert response.status_code == 200
    listed = list(response.context["organizations"])
    assert own in listed and other not in listed and outside not in listed
    assert "准格尔旗待审企业" in response.text and "东胜区待审企业" not in response.text
    # Asking for another region does not widen the scope.
    response = client.get(REVIEW, {"region": "150602", "status": ""})
    assert other not in response.context["organizations"]

    assert client.get(reverse("portal:organization-detail", args=[other.pk])).status_code == 404
    assert client.post(verify_url(other)).status_code == 404
    other.refresh_from_db()
    assert not other.verified

    assert client.post(verify_url(own)).status_code == 302
    own.refresh_from_db()
    assert own.verified


def test_district_officer_service_check_outside_district():
    other = OrganizationFactory(verified=False, region=region("150602"))
    officer = make_user(Role.DISTRICT_OFFICER, district="150622")
    with pytest.raises(PermissionDenied):
        organization_verify(organization=other, actor=actor_for(officer))
    other.refresh_from_db()
    assert not other.verified


def test_bureau_sees_all_districts_and_outside(client):
    orgs = [
        OrganizationFactory(verified=False, region=region("150622")),
        OrganizationFactory(verified=False, region=region("150627")),
        OrganizationFactory(verified=False, region=None),
    ]
    bureau = make_user(Role.BUREAU)
    assert set(orgs) <= set(organization_list(actor=actor_for(bureau)))
    client.force_login(bureau)
    assert set(orgs) <= set(client.get(REVIEW).context["organizations"])


@pytest.mark.parametrize(
    "role", [Role.SME, Role.INSTITUTION, Role.AGENCY, Role.BANK, Role.INSURER, Role.NONE]
)
def test_non_staff_cannot_review(client, role):
    organization = OrganizationFactory(verified=False)
    client.force_login(make_user(role))
    assert client.get(REVIEW).status_code == 403
    assert client.get(reverse("portal:organization-detail", args=[organization.pk])).status_code == 403
    assert client.post(verify_url(organization)).status_code == 403
    organization.refresh_from_db()
    assert not organization.verified
    with pytest.raises(PermissionDenied):
        organization_verify(organization=organization, actor=actor_for(make_user(role)))


def test_visitor_is_sent_to_login(client):
    response = client.get(REVIEW)
    assert response.status_code == 302 and response.url.startswith(reverse("portal:login"))


def test_verify_needs_post(client):
    organization = OrganizationFactory(verified=False)
    client.force_login(make_user(Role.BUREAU))
    assert client.get(verify_url(organization)).status_code == 405


def test_only_a_superuser_verifies_a_government_body(client):
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, verified=False)
    with pytest.raises(ApplicationError):
        organization_verify(organization=government, actor=actor_for(make_user(Role.BUREAU)))
    organization_verify(organization=government, actor=actor_for(make_user(Role.ADMIN)))
    government.refresh_from_db()
    assert government.verified


def test_staff_cannot_revoke_their_own_organization():
    bureau = make_user(Role.BUREAU)
    with pytest.raises(ApplicationError):
        organization_unverify(
            organization=bureau.membership.organization,
            actor=actor_for(make_user(Role.ADMIN, organization=bureau.membership.organization)),
        )


def test_filters_search_and_status(client):
    OrganizationFactory(verified=False, name="伊金霍洛旗羊绒制品厂", kind=Organization.Kind.SME)
    OrganizationFactory(verified=True, name="达拉特旗乳业公司", kind=Organization.Kind.SME)
    OrganizationFactory(verified=False, name="鄂尔多斯应用技术学院", kind=Organization.Kind.UNIVERSITY)
    client.force_login(make_user(Role.BUREAU))

    def names(**params):
        return {org.name for org in client.get(REVIEW, params).context["organizations"]}

    # Pending only by default.
    assert "达拉特旗乳业公司" not in names()
    assert "伊金霍洛旗羊绒制品厂" in names()
    assert "达拉特旗乳业公司" in names(status="")
    assert names(status="verified") >= {"达拉特旗乳业公司"}
    assert "伊金霍洛旗羊绒制品厂" not in names(status="verified")
    assert names(q="羊绒") == {"伊金霍洛旗羊绒制品厂"}
    assert names(kind="university") == {"鄂尔多斯应用技术学院"}
    # Search by (part of) the credit code, in any case.
    code = Organization.objects.get(name="鄂尔多斯应用技术学院").credit_code
    assert names(q=code.lower(), status="") == {"鄂尔多斯应用技术学院"}
    # Nonsense filter values are ignored rather than failing.
    assert client.get(REVIEW, {"kind": "nonsense", "page": "x"}).status_code == 200


def test_review_list_paginates_with_bounded_queries(client, django_assert_max_num_queries):
    for _ in range(45):
        OrganizationFactory(verified=False)
    client.force_login(make_user(Role.BUREAU))
    with django_assert_max_num_queries(12):
        response = client.get(REVIEW)
    page = response.context["page_obj"]
    assert page.paginator.num_pages == 3 and len(page.object_list) == 20
    response = client.get(REVIEW, {"page": 3})
    assert len(response.context["page_obj"].object_list) == 5
    assert "status=pending" in client.get(REVIEW, {"status": "pending"}).text  # pagination keeps filters


def test_unsafe_next_is_ignored(client):
    organization = OrganizationFactory(verified=False)
    client.force_login(make_user(Role.BUREAU))
    response = client.post(verify_url(organization), {"next": "https://evil.example.com/"})
    assert response.url == REVIEW


def test_buttons_only_where_review_is_allowed(client):
    government = OrganizationFactory(kind=Organization.Kind.GOVERNMENT, verified=False)
    sme = OrganizationFactory(verified=False)
    bureau = make_user(Role.BUREAU)
    client.force_login(bureau)

    listing = client.get(REVIEW).text
    assert verify_url(sme) in listing
    assert verify_url(government) not in listing
    detail = client.get(reverse("portal:organization-detail", args=[government.pk])).text
    assert verify_url(government) not in detail
    own = bureau.membership.organization
    detail = client.get(reverse("portal:organization-detail", args=[own.pk])).text
    assert unverify_url(own) not in detail
    detail = client.get(reverse("portal:organization-detail", args=[sme.pk])).text
    assert verify_url(sme) in detail
