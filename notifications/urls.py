"""Inbox routes, under ``/v1/tenants/{tenant_id}/notifications/``.

Actions answer with and without a trailing slash, as the issue and clients spell them both ways.
"""

from django.urls import path, re_path

from notifications import channel_views, views

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

urlpatterns = [
    path("", views.InboxView.as_view(), name="notifications"),
    re_path(r"^read-all/?$", views.ReadAllView.as_view(), name="notifications-read-all"),
    re_path(r"^preferences/?$", views.PreferencesView.as_view(), name="notifications-preferences"),
    re_path(
        r"^preferences/channels/?$",
        channel_views.ChannelPreferencesView.as_view(),
        name="notifications-channel-preferences",
    ),
    re_path(
        r"^preferences/tenant/?$",
        channel_views.TenantChannelPreferencesView.as_view(),
        name="notifications-tenant-preferences",
    ),
    re_path(
        r"^destinations/?$",
        channel_views.DestinationListView.as_view(),
        name="notifications-destinations",
    ),
    re_path(
        rf"^destinations/(?P<pk>{UUID})/?$",
        channel_views.DestinationDetailView.as_view(),
        name="notifications-destination",
    ),
    re_path(
        rf"^destinations/(?P<pk>{UUID})/test/?$",
        channel_views.DestinationTestView.as_view(),
        name="notifications-destination-test",
    ),
    re_path(
        rf"^destinations/(?P<pk>{UUID})/deliveries/?$",
        channel_views.DestinationDeliveriesView.as_view(),
        name="notifications-destination-deliveries",
    ),
    re_path(r"^(?P<pk>[0-9]+)/read/?$", views.ReadView.as_view(), name="notification-read"),
    re_path(r"^(?P<pk>[0-9]+)/unread/?$", views.UnreadView.as_view(), name="notification-unread"),
]
