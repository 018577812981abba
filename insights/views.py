"""Thin views: financial periods in and out."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from coach.serializers import RecommendationSerializer
from gateway.tenancy import TenantScopedMixin
from insights.financials import PeriodError, clean_periods, parse_month, upsert_periods
from insights.models import FinancialPeriod
from insights.serializers import (
    FinancialPeriodSerializer,
    FinancialsUpsertSerializer,
    UpsertResultSerializer,
)
from insights.services import generate_recommendations


def period_error_response(exc: PeriodError) -> ValidationError:
    if exc.row < 0:
        return ValidationError({exc.field: [exc.message]})
    return ValidationError({"periods": {str(exc.row): {exc.field: [exc.message]}}})


class FinancialsView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's monthly periods; POST upserts a batch atomically (all rows or none)."""

    serializer_class = FinancialPeriodSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        queryset = FinancialPeriod.objects.filter(tenant=self.tenant).order_by("month")
        for param, lookup in (("from", "month__gte"), ("to", "month__lte")):
            raw = self.request.query_params.get(param)
            if raw:
                try:
                    queryset = queryset.filter(**{lookup: parse_month(raw)})
                except ValueError as exc:
                    raise ValidationError({param: [str(exc)]}) from None
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.STR, description="first month, YYYY-MM"),
            OpenApiParameter("to", OpenApiTypes.STR, description="last month, YYYY-MM"),
        ]
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=FinancialsUpsertSerializer, responses={200: UpsertResultSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        rows = request.data.get("periods") if isinstance(request.data, dict) else request.data
        try:
            cleaned = clean_periods(self.tenant, rows)
        except PeriodError as exc:
            raise period_error_response(exc) from None
        result = upsert_periods(self.tenant, cleaned)
        stored = FinancialPeriod.objects.filter(tenant=self.tenant, month__in=result.months)
        body = {
            "created": result.created,
            "updated": result.updated,
            "periods": FinancialPeriodSerializer(stored.order_by("month"), many=True).data,
        }
        return Response(body, status=status.HTTP_200_OK)


class GenerateView(TenantScopedMixin, generics.GenericAPIView):
    """Score the tenant's books and issue today's recommendations now."""

    serializer_class = RecommendationSerializer

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, tenant_id: str) -> Response:
        generation = generate_recommendations(self.tenant)
        assessment = generation.assessment
        body = {
            "as_of": assessment.metrics.as_of.isoformat() if assessment.metrics.as_of else None,
            "health": assessment.health.to_dict(),
            "issued": len(generation.recommendations),
            "recommendations": RecommendationSerializer(generation.recommendations, many=True).data,
        }
        if assessment.metrics.as_of is None:
            body["message"] = (
                "No financial data yet: add monthly periods to get a score and advice."
            )
        return Response(body, status=status.HTTP_201_CREATED)
