"""Thin views: financial periods, on-demand advice, and the daily insights."""

from __future__ import annotations

from datetime import date

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coach.serializers import RecommendationSerializer
from coach.services import ranked
from coach.vocabulary import Stage
from gateway.models import MANAGER_ROLES
from gateway.tenancy import TenantScopedMixin, authenticated_user
from insights import portfolio
from insights.daily import run_today
from insights.dispatch import queue_today
from insights.filters import FinancialPeriodFilter, InsightFilter
from insights.financials import PeriodError, clean_periods, upsert_periods
from insights.models import FinancialPeriod, Insight, InsightSchedule
from insights.serializers import (
    FinancialPeriodSerializer,
    FinancialsUpsertSerializer,
    InsightSerializer,
    InsightSummarySerializer,
    StageField,
    UpsertResultSerializer,
)


def period_error_response(exc: PeriodError) -> ValidationError:
    if exc.row < 0:
        return ValidationError({exc.field: [exc.message]})
    return ValidationError({"periods": {str(exc.row): {exc.field: [exc.message]}}})


class FinancialsView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's monthly periods; POST upserts a batch atomically (all rows or none)."""

    serializer_class = FinancialPeriodSerializer
    queryset = FinancialPeriod.objects.none()  # the model, for the schema; get_queryset() scopes it
    filter_backends = [DjangoFilterBackend]
    filterset_class = FinancialPeriodFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return FinancialPeriod.objects.filter(tenant=self.tenant).order_by("month")

    @extend_schema(request=FinancialsUpsertSerializer, responses={200: UpsertResultSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        rows = request.data.get("periods") if isinstance(request.data, dict) else request.data
        try:
            cleaned = clean_periods(self.tenant, rows)
            result = upsert_periods(self.tenant, cleaned)
        except PeriodError as exc:
            raise period_error_response(exc) from None
        stored = FinancialPeriod.objects.filter(tenant=self.tenant, month__in=result.months)
        body = {
            "created": result.created,
            "updated": result.updated,
            "periods": FinancialPeriodSerializer(stored.order_by("month"), many=True).data,
        }
        return Response(body, status=status.HTTP_200_OK)


class GenerateView(TenantScopedMixin, generics.GenericAPIView):
    """Today's insight now: the same pipeline as the morning run, in this request (one tenant
    takes milliseconds). 201 when it was written now, 200 when it already existed."""

    serializer_class = RecommendationSerializer

    @extend_schema(request=None, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    def post(self, request: Request, tenant_id: str) -> Response:
        insight, result = run_today(self.tenant)
        if insight is None:
            raise InsightUnavailable()
        recommendations = ranked(insight.recommendations.select_related("evidence"))
        body = {
            "local_date": insight.local_date.isoformat(),
            "status": "created" if result.done else "done",
            "as_of": insight.as_of.isoformat() if insight.as_of else None,
            "health": insight.health,
            "issued": result.recommendations,
            "recommendations": RecommendationSerializer(recommendations, many=True).data,
        }
        if not insight.has_data:
            body["message"] = (
                "No financial data yet: add monthly periods to get a score and advice."
            )
        code = status.HTTP_201_CREATED if result.done else status.HTTP_200_OK
        return Response(body, status=code)


class InsightUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Today's insight could not be computed; the failure is recorded."
    default_code = "insight_failed"


class InsightListView(TenantScopedMixin, generics.ListAPIView):
    """The insight history, newest first: the points of the health trend chart."""

    serializer_class = InsightSummarySerializer
    queryset = Insight.objects.none()  # the model, for the schema; get_queryset() scopes it
    filter_backends = [DjangoFilterBackend]
    filterset_class = InsightFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return Insight.objects.filter(tenant=self.tenant).order_by("-local_date")


class InsightDetailView(TenantScopedMixin, generics.GenericAPIView):
    """One insight with its recommendations: ``latest`` or a local date (YYYY-MM-DD)."""

    serializer_class = InsightSerializer

    def get(self, request: Request, tenant_id: str, day: str) -> Response:
        insights = Insight.objects.filter(tenant=self.tenant)
        if day == "latest":
            insight = insights.order_by("-local_date").first()
        else:
            try:
                insight = insights.filter(local_date=date.fromisoformat(day)).first()
            except ValueError:
                raise ValidationError({"date": [f"'{day}' is not a date (YYYY-MM-DD)"]}) from None
        if insight is None:
            raise NotFound("No insight for that date yet.")
        return Response(InsightSerializer(insight).data)


class InsightRunView(TenantScopedMixin, APIView):
    """Queue today's insight now (owners and admins); a second call while queued is a no-op.

    An APIView: it takes no body, and a GenericAPIView without a serializer failed OPTIONS."""

    write_roles = MANAGER_ROLES

    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    def post(self, request: Request, tenant_id: str) -> Response:
        outcome = queue_today(self.tenant)
        code = status.HTTP_200_OK if outcome["status"] == "done" else status.HTTP_202_ACCEPTED
        return Response(outcome, status=code)


class PortfolioRowSerializer(serializers.Serializer):
    tenant_id = serializers.UUIDField()
    name = serializers.CharField()
    role = serializers.CharField()
    currency = serializers.CharField()
    timezone = serializers.CharField()
    local_date = serializers.DateField(allow_null=True, help_text="The latest insight's date.")
    score = serializers.FloatField(allow_null=True)
    band = serializers.CharField(allow_null=True)
    stage = StageField(
        choices=Stage.choices,
        allow_null=True,
        help_text="The business's stage on its latest insight (the glossary's stage_<value>).",
    )
    change = serializers.FloatField(
        allow_null=True, help_text="Score change since the previous insight."
    )
    open_recommendations = serializers.IntegerField()
    top_alert = serializers.DictField(
        allow_null=True, help_text="{id, title, priority, issued_on}: the most urgent open card."
    )
    buffer_breach = serializers.DateField(
        allow_null=True, help_text="When cash is forecast to fall below the buffer (median)."
    )
    cash_zero = serializers.DateField(allow_null=True)
    runway_days = serializers.IntegerField(allow_null=True)


class PortfolioView(APIView):
    """Every business the caller belongs to, worst score first: score and band, change since
    the previous insight, the top open alert, the forecast's breach date. Live: a
    ``portfolio.changed`` WebSocket event says when to read it again."""

    @extend_schema(responses={200: PortfolioRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = portfolio.rows_for(authenticated_user(request))
        return Response(PortfolioRowSerializer(rows, many=True).data)


class ScheduleSerializer(serializers.Serializer):
    next_run_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next daily insight is due (null: not scheduled)."
    )
    timezone = serializers.CharField()
    insight_hour = serializers.IntegerField()


class ScheduleView(TenantScopedMixin, generics.GenericAPIView):
    """When the next daily insight runs: moved at once when the timezone or insight hour
    changes (the settings page shows it)."""

    serializer_class = ScheduleSerializer

    def get(self, request: Request, tenant_id: str) -> Response:
        schedule = InsightSchedule.objects.filter(tenant=self.tenant).first()
        body = {
            "next_run_at": schedule.next_run_at if schedule else None,
            "timezone": self.tenant.timezone,
            "insight_hour": self.tenant.insight_hour,
        }
        return Response(ScheduleSerializer(body).data)
