from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="import-list"),
    path("<int:pk>/", views.import_detail, name="import-detail"),
    path("<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("<int:pk>/errors.csv", views.import_errors, name="import-errors"),
    path("template/<slug:kind>.<str:file_format>", views.import_template, name="import-template"),
]
