from django.urls import path

from . import views

app_name = "demands"
urlpatterns = [
    path("", views.demand_list_view, name="list"),
    path("mine/", views.demand_mine_view, name="mine"),
    path("new/", views.demand_create_view, name="demand-create"),
    path("<slug:code>/", views.demand_detail_view, name="demand-detail"),
    path("<slug:code>/edit/", views.demand_edit_view, name="demand-edit"),
    path("<slug:code>/publish/", views.demand_publish_view, name="demand-publish"),
    path("<slug:code>/close/", views.demand_close_view, name="demand-close"),
    path("<slug:code>/renew/", views.demand_renew_view, name="demand-renew"),
    path("<slug:code>/delete/", views.demand_delete_view, name="demand-delete"),
]
