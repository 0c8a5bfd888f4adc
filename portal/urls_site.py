"""The portal's own pages: home, accounts, organizations, imports."""
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="portal/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", views.home, name="signup"),
    path("imports/", include("portal.imports.urls")),
]
