"""The portal's own pages: home, accounts, organizations, imports, files made in the background."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from . import forms, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    # Accounts
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/", views.api_tokens, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
    path("accounts/tokens/revoke-all/", views.api_tokens_revoke_all_view, name="api-tokens-revoke-all"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/portal_password_change_form.html",
            form_class=forms.PasswordChangeForm,
            success_url=reverse_lazy("portal:password-change-done"),
        ),
        name="password-change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/portal_password_change_done.html"
        ),
        name="password-change-done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            form_class=forms.PasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
            extra_email_context={"portal_name": settings.PORTAL_SITE_NAME},
            success_url=reverse_lazy("portal:password-reset-done"),
        ),
        name="password-reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/password_reset_confirm.html",
            form_class=forms.SetPasswordForm,
            success_url=reverse_lazy("portal:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    # Review of organizations by bureau and district staff
    path("organizations/review/", views.organization_review, name="organization-review"),
    path("organizations/search/", views.organization_search_view, name="organization-search"),
    path("organizations/<int:pk>/", views.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/verify/", views.organization_verify_view, name="organization-verify"),
    path("organizations/<int:pk>/unverify/", views.organization_unverify_view, name="organization-unverify"),
    path("imports/", include("portal.imports.urls")),
    path("files/", include("portal.filejobs.urls")),
]
