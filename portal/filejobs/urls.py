from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/", views.file_job_detail, name="file-job-detail"),
    path("<int:pk>/status/", views.file_job_status, name="file-job-status"),
    path("<int:pk>/download/", views.file_job_download, name="file-job-download"),
]
