"""The forecast's API: the forecast of the current books, and what-if scenarios (thin views)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from gateway.errors import FieldError
from gateway.models import ACTOR_ROLES
from gateway.tenancy import TenantScopedMixin, authenticated_user
from insights.forecast import scenarios
from insights.forecast.engine import ChangeKind
from insights.forecast.models import ForecastScenario
from insights.forecast.store import compute


class _DatesSerializer(serializers.Serializer):
    p10 = serializers.DateField(allow_null=True)
    p50 = serializers.DateField(allow_null=True)
    p90 = serializers.DateField(allow_null=True)


class _WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    p10 = serializers.DecimalField(max_digits=18, decimal_places=2)
    p50 = serializers.DecimalField(max_digits=18, decimal_places=2)
    p90 = serializers.DecimalField(max_digits=18, decimal_places=2)
    inflow = serializers.DecimalField(max_digits=18, decimal_places=2)
    outflow = serializers.DecimalField(max_digits=18, decimal_places=2)


class _MonthSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    p10 = serializers.DecimalField(max_digits=18, decimal_places=2)
    p50 = serializers.DecimalField(max_digits=18, decimal_places=2)
    p90 = serializers.DecimalField(max_digits=18, decimal_places=2)


class ForecastSerializer(serializers.Serializer):
    """13 weeks and 12 months of cash with a P10/P50/P90 band; money as strings."""

    as_of = serializers.DateField(help_text="Last day of the last month of books.")
    method = serializers.CharField(help_text="The method used, and why.")
    currency = serializers.CharField()
    buffer = serializers.DecimalField(max_digits=18, decimal_places=2)
    weeks = _WeekSerializer(many=True)
    months = _MonthSerializer(many=True)
    cash_zero = _DatesSerializer(allow_null=True, help_text="Null: not within 12 months.")
    buffer_breach = _DatesSerializer(allow_null=True, help_text="Null: not within 12 months.")


class _ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[k.value for k in ChangeKind])
    date = serializers.DateField(required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=18, decimal_places=2, required=False)
    percent = serializers.FloatField(required=False)
    days = serializers.FloatField(required=False)


class ScenarioRequestSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=scenarios.NAME_MAX)
    changes = _ChangeSerializer(many=True)
    # Declared fields leave the class (the metaclass), so this never shadows save(); the stubs
    # cannot know that.
    save = serializers.BooleanField(  # type: ignore[assignment]
        required=False, default=True, help_text="Keep it by name."
    )


class ScenarioSerializer(serializers.ModelSerializer):
    changes = _ChangeSerializer(many=True)

    class Meta:
        model = ForecastScenario
        fields = ["id", "name", "changes", "created_at", "updated_at"]


class ScenarioAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="Null when not saved.")
    name = serializers.CharField()
    changes = _ChangeSerializer(many=True)
    baseline = ForecastSerializer()
    scenario = ForecastSerializer()


class ForecastView(TenantScopedMixin, generics.GenericAPIView):
    """The cash forecast of the tenant's current books (computed on the worker pool when the
    books change; computed here if this request comes first)."""

    serializer_class = ForecastSerializer

    def get(self, request: Request, tenant_id: str) -> Response:
        computed = compute(self.tenant)
        if computed.forecast is None:
            raise NotFound(f"No forecast: {computed.reason}.")
        return Response({**computed.forecast.body, "currency": self.tenant.currency})


class ScenarioListView(TenantScopedMixin, generics.ListAPIView):
    """Saved scenarios, newest first; POST runs one beside the baseline (and saves it by name,
    unless ``save`` is false)."""

    serializer_class = ScenarioSerializer
    queryset = ForecastScenario.objects.none()  # the model, for the schema
    write_roles = ACTOR_ROLES

    def get_queryset(self) -> QuerySet[ForecastScenario]:
        return ForecastScenario.objects.filter(tenant=self.tenant).order_by("-updated_at", "-id")

    @extend_schema(
        request=ScenarioRequestSerializer,
        responses={201: ScenarioAnswerSerializer, 200: ScenarioAnswerSerializer},
    )
    def post(self, request: Request, tenant_id: str) -> Response:
        body: Any = request.data
        save = body.get("save", True) if isinstance(body, dict) else True
        if not isinstance(save, bool):
            raise FieldError("save", "must be true or false")
        name, changes, answer = scenarios.answer(self.tenant, body)
        saved = None
        if save:
            saved = scenarios.save(self.tenant, authenticated_user(request), name, changes)
        result = {
            "id": saved.pk if saved else None,
            "name": name,
            "changes": [c.to_dict() for c in changes],
            **answer,
        }
        code = status.HTTP_201_CREATED if saved else status.HTTP_200_OK
        return Response(result, status=code)


class ScenarioDetailView(TenantScopedMixin, generics.GenericAPIView):
    """A saved scenario run on today's books; DELETE forgets it."""

    serializer_class = ScenarioAnswerSerializer
    write_roles = ACTOR_ROLES

    def get_object(self) -> ForecastScenario:
        return generics.get_object_or_404(
            ForecastScenario.objects.filter(tenant=self.tenant), pk=self.kwargs["sid"]
        )

    def get(self, request: Request, tenant_id: str, sid: int) -> Response:
        saved = self.get_object()
        answer = scenarios.rerun(self.tenant, saved)
        return Response({"id": saved.pk, "name": saved.name, "changes": saved.changes, **answer})

    @extend_schema(responses={204: None})
    def delete(self, request: Request, tenant_id: str, sid: int) -> Response:
        self.get_object().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
