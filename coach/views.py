"""Thin views over recommendations and the catalog."""

from __future__ import annotations

from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from coach import chat, plans, services
from coach.catalog.registry import catalog_listing
from coach.filters import ActionPlanFilter, RecommendationFilter
from coach.glossary import glossary_listing
from coach.models import ActionPlan, ActionTask, Recommendation, Status
from coach.serializers import (
    ActionPlanSerializer,
    ActionTaskSerializer,
    ConversationSerializer,
    ExchangeSerializer,
    MessageSerializer,
    PlanCreateSerializer,
    PlanUpdateSerializer,
    QuestionSerializer,
    RecommendationDetailsSerializer,
    RecommendationSerializer,
    ReorderSerializer,
    SnoozeSerializer,
    StatusChangeSerializer,
    TaskCreateSerializer,
    TaskUpdateSerializer,
    details_for,
)
from coach.vocabulary import vocabulary_listing
from gateway.models import PLAN_ROLES
from gateway.tenancy import TenantScopedMixin


class CatalogView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        templates = catalog_listing()
        return Response({"count": len(templates), "results": templates})


class VocabularyView(APIView):
    """Priorities (with their rank), categories and score bands (with their scores), as
    coach.vocabulary defines them: the console reads them here instead of spelling them again."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(vocabulary_listing())


class GlossaryView(APIView):
    """Every figure Coach shows, in words, with a short definition (coach.glossary): the
    console's labels and its help on hover or tap come from here."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        return Response(glossary_listing())


class RecommendationListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's recommendations, newest first (filters: status, priority, category).

    Withdrawn recommendations (replaced by a newer insight of their day) are left out unless
    ``status`` asks for them."""

    serializer_class = RecommendationSerializer
    queryset = Recommendation.objects.none()  # the model, for the schema; get_queryset() scopes it
    filter_backends = [DjangoFilterBackend]
    filterset_class = RecommendationFilter

    def get_queryset(self) -> QuerySet[Recommendation]:
        queryset = Recommendation.objects.filter(tenant=self.tenant)
        if "status" not in self.request.query_params:
            queryset = queryset.exclude(status=Status.WITHDRAWN)
        return queryset.order_by("-issued_on", "-score", "id")


class TenantRecommendationMixin(TenantScopedMixin):
    def get_recommendation(self) -> Recommendation:
        return generics.get_object_or_404(
            Recommendation.objects.filter(tenant=self.tenant).select_related("evidence"),
            pk=self.kwargs["rid"],
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
        services.change_status(recommendation, change.validated_data["status"], user=self.user)
        return Response(RecommendationSerializer(recommendation).data)


class RecommendationSnoozeView(TenantRecommendationMixin, generics.GenericAPIView):
    """``POST {period: week|month}`` snoozes: the card is hidden (``snoozed=false`` leaves it out
    of the list) and its template is not issued again until ``snoozed_until``; ``DELETE`` wakes
    it now."""

    serializer_class = RecommendationSerializer

    @extend_schema(request=SnoozeSerializer, responses={200: RecommendationSerializer})
    def post(self, request: Request, tenant_id: str, rid: int) -> Response:
        given = SnoozeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        snoozed = services.snooze(self.get_recommendation(), given.validated_data["period"])
        return Response(RecommendationSerializer(snoozed).data)

    @extend_schema(request=None, responses={200: RecommendationSerializer})
    def delete(self, request: Request, tenant_id: str, rid: int) -> Response:
        return Response(
            RecommendationSerializer(services.snooze(self.get_recommendation(), None)).data
        )


class RecommendationDetailsView(TenantRecommendationMixin, generics.GenericAPIView):
    serializer_class = RecommendationDetailsSerializer

    def get(self, request: Request, tenant_id: str, rid: int) -> Response:
        return Response(details_for(self.get_recommendation()))


# --- Action plans --------------------------------------------------------------------------------


class ActionPlanMixin(TenantScopedMixin):
    write_roles = PLAN_ROLES  # the external accountant works on plans too

    def plans(self) -> QuerySet[ActionPlan]:
        return ActionPlan.objects.filter(tenant=self.tenant).prefetch_related("tasks")

    def get_plan(self) -> ActionPlan:
        return generics.get_object_or_404(self.plans(), pk=self.kwargs["pid"])


class ActionPlanListView(ActionPlanMixin, generics.ListAPIView):
    """The tenant's plans (filters: status, priority, recommendation); POST starts a draft."""

    serializer_class = ActionPlanSerializer
    queryset = ActionPlan.objects.none()  # the model, for the schema; get_queryset() scopes it
    filter_backends = [DjangoFilterBackend]
    filterset_class = ActionPlanFilter

    def get_queryset(self) -> QuerySet[ActionPlan]:
        return self.plans()

    @extend_schema(request=PlanCreateSerializer, responses={201: ActionPlanSerializer})
    def post(self, request: Request, tenant_id: str) -> Response:
        given = PlanCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        rid = data.pop("recommendation", None)
        recommendation = None
        if rid is not None:
            recommendation = Recommendation.objects.filter(tenant=self.tenant, pk=rid).first()
            if recommendation is None:
                raise ValidationError({"recommendation": ["no such recommendation"]})
        tasks = data.pop("tasks", [])
        if "owner" in data:
            data["owner"] = plans.member(self.tenant, data["owner"])
        plan = plans.create_plan(
            self.tenant,
            self.user,
            details=data,
            tasks=tasks,
            recommendation=recommendation,
        )
        return Response(
            ActionPlanSerializer(self.plans().get(pk=plan.pk)).data, status=status.HTTP_201_CREATED
        )


class ActionPlanDetailView(ActionPlanMixin, generics.GenericAPIView):
    serializer_class = ActionPlanSerializer

    def get(self, request: Request, tenant_id: str, pid: int) -> Response:
        return Response(ActionPlanSerializer(self.get_plan()).data)

    @extend_schema(request=PlanUpdateSerializer, responses={200: ActionPlanSerializer})
    def patch(self, request: Request, tenant_id: str, pid: int) -> Response:
        given = PlanUpdateSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        if "owner" in changes:
            changes["owner"] = plans.member(self.tenant, changes["owner"])
        plans.update_plan(self.get_plan(), changes)
        return Response(ActionPlanSerializer(self.get_plan()).data)

    def delete(self, request: Request, tenant_id: str, pid: int) -> Response:
        self.get_plan().delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionPlanConfirmView(ActionPlanMixin, generics.GenericAPIView):
    """The wizard's last step: the draft becomes active (400 naming what is missing)."""

    serializer_class = ActionPlanSerializer

    @extend_schema(request=None, responses={200: ActionPlanSerializer})
    def post(self, request: Request, tenant_id: str, pid: int) -> Response:
        plans.confirm_plan(self.get_plan(), self.user)
        return Response(ActionPlanSerializer(self.get_plan()).data)


class ActionTaskListView(ActionPlanMixin, generics.GenericAPIView):
    """A plan's tasks in order: the whole list, never paged (a plan has a handful)."""

    serializer_class = ActionTaskSerializer
    pagination_class = None  # the answer is a plain list, and the schema says so

    @extend_schema(
        operation_id="tenants_coach_action_plans_tasks_list",
        responses={200: ActionTaskSerializer(many=True)},
    )
    def get(self, request: Request, tenant_id: str, pid: int) -> Response:
        tasks = self.get_plan().tasks.order_by("position", "id")
        return Response(ActionTaskSerializer(tasks, many=True).data)

    @extend_schema(request=TaskCreateSerializer, responses={201: ActionTaskSerializer})
    def post(self, request: Request, tenant_id: str, pid: int) -> Response:
        given = TaskCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if "assignee" in data:
            data["assignee"] = plans.member(self.tenant, data["assignee"], "assignee")
        task = plans.add_task(self.get_plan(), **data)
        return Response(ActionTaskSerializer(task).data, status=status.HTTP_201_CREATED)


class ActionTaskDetailView(ActionPlanMixin, generics.GenericAPIView):
    serializer_class = ActionTaskSerializer

    def get_task(self) -> ActionTask:
        return generics.get_object_or_404(
            ActionTask.objects.filter(plan=self.get_plan()), pk=self.kwargs["task_id"]
        )

    def get(self, request: Request, tenant_id: str, pid: int, task_id: int) -> Response:
        return Response(ActionTaskSerializer(self.get_task()).data)

    @extend_schema(request=TaskUpdateSerializer, responses={200: ActionTaskSerializer})
    def patch(self, request: Request, tenant_id: str, pid: int, task_id: int) -> Response:
        given = TaskUpdateSerializer(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        changes = dict(given.validated_data)
        if "assignee" in changes:
            changes["assignee"] = plans.member(self.tenant, changes["assignee"], "assignee")
        task = plans.update_task(self.get_task(), changes, user=self.user)
        return Response(ActionTaskSerializer(task).data)

    def delete(self, request: Request, tenant_id: str, pid: int, task_id: int) -> Response:
        plans.remove_task(self.get_task())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionTaskReorderView(ActionPlanMixin, generics.GenericAPIView):
    serializer_class = ActionTaskSerializer
    pagination_class = None  # answers the reordered tasks as a plain list

    @extend_schema(request=ReorderSerializer, responses={200: ActionTaskSerializer(many=True)})
    def post(self, request: Request, tenant_id: str, pid: int) -> Response:
        given = ReorderSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        tasks = plans.reorder_tasks(self.get_plan(), given.validated_data["order"])
        return Response(ActionTaskSerializer(tasks, many=True).data)


# --- "Tell me more" ------------------------------------------------------------------------------


class ConversationView(TenantRecommendationMixin, generics.GenericAPIView):
    """The caller's conversation about a recommendation; POST asks a question.

    POST returns at once. With a model, 202: the question is stored and the answer is pending;
    it is produced on the ``llm`` queue and streams to the caller's open WebSockets
    (``chat.delta`` then ``chat.done`` with the stored message), and a GET shows it pending until
    then. Without a model or over the tenant's AI budget, 201: the fallback answer is stored and
    returned now (and ``chat.done`` pushed too).
    """

    serializer_class = ConversationSerializer

    def get(self, request: Request, tenant_id: str, rid: int) -> Response:
        recommendation = self.get_recommendation()
        conversation = chat.conversation_for(recommendation, self.user)
        if conversation is None:
            # None yet: it starts with the first question (id and timestamps null until then).
            empty = {"id": None, "recommendation": recommendation.pk, "created_at": None}
            return Response({**empty, "updated_at": None, "messages": []})
        return Response(ConversationSerializer(conversation).data)

    @extend_schema(
        request=QuestionSerializer, responses={202: ExchangeSerializer, 201: ExchangeSerializer}
    )
    def post(self, request: Request, tenant_id: str, rid: int) -> Response:
        """Ask a question; answers at once, never waiting for the model.

        202: the question is stored and the answer is pending (`status: "pending"`, its `id` is
        the `message_id` of the `chat.delta` and `chat.done` WebSocket messages that bring it;
        a GET of the conversation shows it pending until it is stored). 201: no model is
        configured or the tenant's AI budget is spent, so the fallback answer is stored and
        returned now (`status: "done"`, `source: "fallback"`; `chat.done` is pushed too).
        """
        given = QuestionSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        exchange = chat.ask(self.get_recommendation(), self.user, given.validated_data["content"])
        answer = MessageSerializer(exchange.answer).data
        body = {
            "conversation_id": exchange.conversation.pk,
            "status": answer["status"],
            "question": MessageSerializer(exchange.question).data,
            "answer": answer,
        }
        code = status.HTTP_202_ACCEPTED if exchange.pending else status.HTTP_201_CREATED
        return Response(body, status=code)


class SuggestionsView(TenantRecommendationMixin, generics.GenericAPIView):
    """The quick questions the frontend offers for this recommendation."""

    serializer_class = QuestionSerializer

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, tenant_id: str, rid: int) -> Response:
        recommendation = self.get_recommendation()
        return Response(
            {"recommendation": recommendation.pk, "questions": recommendation.questions}
        )
