"""Inbox routes, under ``/v1/tenants/{tenant_id}/notifications/``.

Actions answer with and without a trailing slash, as the issue and clients spell them both ways.
"""

from django.urls import path, re_path

from notifications import views

urlpatterns = [
    path("", views.InboxView.as_view(), name="notifications"),
    re_path(r"^read-all/?$", views.ReadAllView.as_view(), name="notifications-read-all"),
    re_path(r"^preferences/?$", views.PreferencesView.as_view(), name="notifications-preferences"),
    re_path(r"^(?P<pk>[0-9]+)/read/?$", views.ReadView.as_view(), name="notification-read"),
    re_path(r"^(?P<pk>[0-9]+)/unread/?$", views.UnreadView.as_view(), name="notification-unread"),
]
