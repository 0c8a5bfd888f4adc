"""Writes of the portal: registration, review of organizations, profile edits.

Every function takes keyword-only arguments, runs in one transaction and raises
``ApplicationError`` for a rule the user broke (``ValidationError`` for invalid data,
``PermissionDenied`` when the acting user may not touch the organization at all).
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .identifiers import normalize_credit_code
from .models import Membership, Organization, OrganizationAlias, Region
from .permissions import (
    SYSTEM_USERNAME,
    Actor,
    can_verify_government_bodies,
    require_organization_reviewer,
)

User = get_user_model()

# Kinds a visitor may register by themselves; government bodies are created by the bureau.
SIGNUP_KINDS = (
    Organization.Kind.SME,
    Organization.Kind.UNIVERSITY,
    Organization.Kind.INSTITUTE,
    Organization.Kind.SOE,
    Organization.Kind.LARGE_ENTERPRISE,
    Organization.Kind.AGENCY,
    Organization.Kind.BANK,
    Organization.Kind.INSURER,
)


def organization_already_registered_message() -> str:
    return _(
        "该统一社会信用代码对应的单位已在平台注册。请联系该单位的管理员为您开通账号，或联系市知识产权局。"
    )


@transaction.atomic
def organization_register(
    *,
    username: str,
    email: str,
    password: str,
    organization_name: str,
    credit_code: str,
    kind: str,
    region: Region | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Membership:
    """Register a user together with a new, not yet verified organization they administer."""
    if kind not in SIGNUP_KINDS:
        raise ApplicationError(_("该单位类型不能自行注册，请联系市知识产权局。"))
    code = normalize_credit_code(credit_code)
    # A merged duplicate's code belongs to the organization it was merged into.
    if (
        Organization.objects.filter(credit_code=code).exists()
        or OrganizationAlias.objects.filter(credit_code=code).exists()
    ):
        raise ApplicationError(organization_already_registered_message())
    if username.casefold() == SYSTEM_USERNAME or User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("该用户名已被使用。"))

    user = User(username=username, email=email)
    validate_password(password, user=user)
    user.set_password(password)
    user.full_clean()
    user.save()

    organization = Organization(
        name=organization_name.strip(),
        credit_code=code,
        kind=kind,
        region=region,
        contact_name=contact_name.strip(),
        contact_phone=contact_phone.strip(),
        contact_email=email,
        verified=False,
    )
    organization.full_clean()
    organization.save()
    return Membership.objects.create(user=user, organization=organization, role=Membership.Role.ADMIN)


def _check_reviewer(*, organization: Organization, actor: Actor) -> None:
    """Bureau staff review everyone; a district officer only organizations in their district."""
    require_organization_reviewer(actor, organization)
    if organization.kind == Organization.Kind.GOVERNMENT and not can_verify_government_bodies(actor):
        raise ApplicationError(_("政府部门的认证只能由系统管理员在后台办理。"))
    if actor.organization_id == organization.pk:
        raise ApplicationError(_("不能审核本单位。"))


def organization_reviewable_by(*, organization: Organization, actor: Actor) -> bool:
    """Whether ``actor`` may verify or revoke this organization (for showing the buttons)."""
    try:
        _check_reviewer(organization=organization, actor=actor)
    except (ApplicationError, PermissionDenied):
        return False
    return True


def _notify_organization_admins(*, organization: Organization, subject: str, body: str) -> None:
    recipients = list(
        organization.memberships.filter(
            role=Membership.Role.ADMIN, email_notifications=True, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if recipients:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=True)
        )


@transaction.atomic
def organization_verify(*, organization: Organization, actor: Actor) -> Organization:
    """Mark an organization as verified; its members gain the rights of their role."""
    _check_reviewer(organization=organization, actor=actor)
    if organization.verified:
        raise ApplicationError(_("“%(name)s”已经通过认证。") % {"name": organization.name})
    organization.verified, organization.verified_at = True, timezone.now()
    organization.save(update_fields=["verified", "verified_at", "updated_at"])
    _notify_organization_admins(
        organization=organization,
        subject=_("【%(site)s】单位认证已通过") % {"site": settings.PORTAL_SITE_NAME},
        body=_("您好！“%(name)s”已通过%(site)s的审核认证，现在可以使用平台的全部功能。")
        % {"name": organization.name, "site": settings.PORTAL_SITE_NAME},
    )
    return organization


@transaction.atomic
def organization_unverify(*, organization: Organization, actor: Actor, reason: str = "") -> Organization:
    """Revoke an organization's verification (nothing is deleted); the reason is mailed to its admins."""
    _check_reviewer(organization=organization, actor=actor)
    if not organization.verified:
        raise ApplicationError(_("“%(name)s”尚未认证，无需撤销。") % {"name": organization.name})
    organization.verified, organization.verified_at = False, None
    organization.save(update_fields=["verified", "verified_at", "updated_at"])
    body = _("您好！“%(name)s”在%(site)s的认证已被撤销，请完善资料后联系市知识产权局重新审核。") % {
        "name": organization.name,
        "site": settings.PORTAL_SITE_NAME,
    }
    if reason.strip():
        body += "\n\n" + _("原因：%(reason)s") % {"reason": reason.strip()}
    _notify_organization_admins(
        organization=organization,
        subject=_("【%(site)s】单位认证已撤销") % {"site": settings.PORTAL_SITE_NAME},
        body=body,
    )
    return organization


@transaction.atomic
def user_update(*, actor: Actor, first_name: str, last_name: str, email: str):
    """Update the acting user's own name and e-mail address."""
    user = actor.user
    user.first_name, user.last_name, user.email = first_name.strip(), last_name.strip(), email.strip()
    user.full_clean(exclude=["password", "username"])
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


@transaction.atomic
def membership_update(*, membership: Membership, actor: Actor, email_notifications: bool) -> Membership:
    """Update a member's own preferences."""
    if membership.user_id != actor.user.pk:
        raise PermissionDenied(_("只能修改自己的设置。"))
    membership.email_notifications = email_notifications
    membership.save(update_fields=["email_notifications", "updated_at"])
    return membership


ORGANIZATION_CONTACT_FIELDS = (
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "website",
    "public_contact",
    "description",
)


@transaction.atomic
def organization_contact_update(*, organization: Organization, actor: Actor, **fields) -> Organization:
    """Update an organization's contact details; only its administrators may do so.

    Name, credit code, kind and region are what the bureau verified, so they are not editable here.
    """
    unknown = set(fields) - set(ORGANIZATION_CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"organization_contact_update() got unexpected fields: {sorted(unknown)}")
    is_admin = Membership.objects.filter(
        user=actor.user, organization=organization, role=Membership.Role.ADMIN
    ).exists()
    if not is_admin:
        raise PermissionDenied(_("只有本单位的管理员可以修改单位联系信息。"))
    for name, value in fields.items():
        setattr(organization, name, value.strip() if isinstance(value, str) else value)
    organization.full_clean()
    organization.save(update_fields=[*fields, "updated_at"])
    return organization
