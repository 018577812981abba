"""The project's URLs plus reference views: the framework's floor and a naive inbox."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework import generics, serializers

from config.urls import urlpatterns as project_urls
from gateway.tenancy import TenantScopedMixin
from notifications.models import Notification


def trivial(request: HttpRequest) -> JsonResponse:
    """The floor: a plain Django view answering a small JSON body."""
    return JsonResponse({"ok": True})


class NaiveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at"]


class NaiveInbox(TenantScopedMixin, generics.ListAPIView):
    """What the inbox would cost as a plain DRF ModelSerializer list (the issue's reference)."""

    serializer_class = NaiveSerializer
    pagination_class = None

    def get_queryset(self):
        return Notification.objects.filter(tenant=self.tenant, user=self.user)[:200]


urlpatterns = [
    path("bench/trivial", trivial),
    path("bench/tenants/<uuid:tenant_id>/naive-inbox", NaiveInbox.as_view()),
    *project_urls,
]
