"""The workbench, mounted at /workbench/ (LOGIN_REDIRECT_URL)."""

from django.urls import path

from . import views

app_name = "workbench"
urlpatterns = [path("", views.workbench, name="home")]
