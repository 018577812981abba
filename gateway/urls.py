from django.urls import path

from gateway import console, team_views, views

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("auth/token/", views.LoginView.as_view(), name="login"),
    path("auth/session/", console.SessionView.as_view(), name="session"),
    path("tokens/", views.TokenListCreateView.as_view(), name="token-list"),
    path("tokens/<int:pk>/", views.TokenDetailView.as_view(), name="token-detail"),
    path("tenants/", views.TenantListCreateView.as_view(), name="tenant-list"),
    path("tenants/<uuid:tenant_id>/", views.TenantDetailView.as_view(), name="tenant-detail"),
    path("tenants/<uuid:tenant_id>/members/", views.MemberListView.as_view(), name="member-list"),
    path(
        "tenants/<uuid:tenant_id>/members/<int:user_id>/",
        team_views.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path(
        "tenants/<uuid:tenant_id>/invitations/",
        team_views.InvitationListView.as_view(),
        name="invitation-list",
    ),
    path(
        "tenants/<uuid:tenant_id>/invitations/<int:pk>/",
        team_views.InvitationDetailView.as_view(),
        name="invitation-detail",
    ),
    path("invitations/<str:key>/", team_views.InvitationLinkView.as_view(), name="invitation-link"),
]
