"""Pages of the matchmaking workflow (mounted at /matching/)."""

from django.urls import path

from . import views

app_name = "matching"
urlpatterns = [
    path("inquiries/", views.inquiry_list, name="inquiry-list"),
    path("inquiries/new/<str:application_no>/", views.inquiry_create, name="inquiry-create"),
    path("inquiries/<int:pk>/", views.inquiry_detail, name="inquiry-detail"),
    path("inquiries/<int:pk>/reply/", views.inquiry_reply, name="inquiry-reply"),
    path("inquiries/<int:pk>/accept/", views.inquiry_accept, name="inquiry-accept"),
    path("inquiries/<int:pk>/transition/", views.inquiry_transition, name="inquiry-transition"),
    path("matches/", views.patent_matches, name="patent-matches"),
    path("unserved/", views.unserved_demands, name="unserved-demands"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("subscriptions/", views.subscription_list, name="subscription-list"),
    path("subscriptions/save-search/", views.subscription_save_search, name="subscription-save-search"),
    path("subscriptions/<int:pk>/delete/", views.subscription_delete, name="subscription-delete"),
    path("subscriptions/<int:pk>/toggle/", views.subscription_toggle, name="subscription-toggle"),
    path("unsubscribe/<str:token>/", views.subscription_unsubscribe, name="subscription-unsubscribe"),
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<int:pk>/", views.event_detail, name="event-detail"),
    path("events/<int:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<int:pk>/register/", views.event_register, name="event-register"),
    path("events/<int:pk>/unregister/", views.event_unregister, name="event-unregister"),
    path("events/<int:pk>/share-with-banks/", views.event_share_with_banks, name="event-share-with-banks"),
    path("events/<int:pk>/outcome/", views.event_outcome, name="event-outcome"),
]
