"""Thin views over recommendations and the catalog."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coach import services
from coach.catalog.registry import catalog_listing
from coach.models import Category, Priority, Recommendation, Status
from coach.serializers import (
    RecommendationDetailsSerializer,
    RecommendationSerializer,
    StatusChangeSerializer,
    details_for,
)
from gateway.tenancy import TenantScopedMixin


class CatalogView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        templates = catalog_listing()
        return Response({"count": len(templates), "results": templates})


_FILTERS = {"status": Status, "category": Category, "priority": Priority}


class RecommendationListView(TenantScopedMixin, generics.ListAPIView):
    serializer_class = RecommendationSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = Recommendation.objects.filter(tenant=self.tenant)
        for name, choices in _FILTERS.items():
            wanted = self.request.query_params.getlist(name)
            wanted = [value for item in wanted for value in item.split(",") if value]
            if wanted:
                bad = [value for value in wanted if value not in choices.values]
                if bad:
                    raise ValidationError(
                        {name: [f"'{bad[0]}' is not one of {', '.join(choices.values)}"]}
                    )
                queryset = queryset.filter(**{f"{name}__in": wanted})
        return queryset.order_by("-issued_on", "-score", "id")

    @extend_schema(
        parameters=[
            OpenApiParameter(name, OpenApiTypes.STR, description=f"comma-separated {name} values")
            for name in _FILTERS
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class TenantRecommendationMixin(TenantScopedMixin):
    def get_recommendation(self) -> Recommendation:
        return generics.get_object_or_404(
            Recommendation.objects.filter(tenant=self.tenant), pk=self.kwargs["rid"]
        )


class RecommendationDetailView(TenantRecommendationMixin, generics.GenericAPIView):
    serializer_class = RecommendationSerializer

    def get(self, request: Request, tenant_id: str, rid: int) -> Response:
        return Response(RecommendationSerializer(self.get_recommendation()).data)

    @extend_schema(request=StatusChangeSerializer)
    def patch(self, request: Request, tenant_id: str, rid: int) -> Response:
        change = StatusChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        recommendation = self.get_recommendation()
        try:
            services.change_status(
                recommendation, change.validated_data["status"], user=request.user
            )
        except services.TransitionError as exc:
            raise ValidationError({"status": [str(exc)]}) from None
        return Response(RecommendationSerializer(recommendation).data)


class RecommendationDetailsView(TenantRecommendationMixin, generics.GenericAPIView):
    serializer_class = RecommendationDetailsSerializer

    def get(self, request: Request, tenant_id: str, rid: int) -> Response:
        return Response(details_for(self.get_recommendation()))
