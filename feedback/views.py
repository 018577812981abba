"""Thin views: send feedback on a recommendation, read what the tenant's feedback says."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from coach.models import Recommendation
from feedback import services
from feedback.models import Feedback
from feedback.serializers import (
    FeedbackInputSerializer,
    FeedbackResultSerializer,
    MyFeedbackSerializer,
)
from gateway.tenancy import TenantScopedMixin


class FeedbackView(TenantScopedMixin, generics.GenericAPIView):
    """The caller's feedback on a recommendation; sending again updates it (201 either way,
    as the frontend expects; ``updated`` tells which)."""

    serializer_class = FeedbackInputSerializer

    @extend_schema(request=FeedbackInputSerializer, responses={201: FeedbackResultSerializer})
    def post(self, request: Request, tenant_id: str, rid: int) -> Response:
        recommendation = generics.get_object_or_404(
            Recommendation.objects.filter(tenant=self.tenant), pk=rid
        )
        given = FeedbackInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        recorded = services.record_feedback(
            recommendation,
            self.user,
            helpful=data["helpful"],
            reason=data.get("reason") or "",
            comment=data.get("comment") or "",
        )
        feedback = recorded.feedback
        body = {
            "feedback_id": feedback.pk,
            "recommendation_id": recommendation.pk,
            "helpful": feedback.helpful,
            "reason": feedback.reason,
            "comment": feedback.comment,
            "created_at": feedback.created_at,
            "updated_at": feedback.updated_at,
            "updated": not recorded.created,
        }
        return Response(FeedbackResultSerializer(body).data, status=status.HTTP_201_CREATED)


class FeedbackSummaryView(TenantScopedMixin, generics.GenericAPIView):
    """Helpful rate per template and category, reasons and recent comments, for this tenant."""

    serializer_class = FeedbackResultSerializer

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, tenant_id: str) -> Response:
        return Response(services.summarize(Feedback.objects.filter(tenant=self.tenant)))


class MyFeedbackView(TenantScopedMixin, generics.ListAPIView):
    """The caller's own feedback in this tenant, newest first: what each card shows as given
    (and lets them change)."""

    serializer_class = MyFeedbackSerializer

    def get_queryset(self) -> QuerySet[Feedback]:
        return Feedback.objects.filter(tenant=self.tenant, user=self.user).order_by("-updated_at")
