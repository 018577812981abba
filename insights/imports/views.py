"""Thin views: upload and list imports, undo one; the bank accounts' cash; unusual movements."""

from __future__ import annotations

import json
from typing import Any, BinaryIO, cast

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gateway.body_limit import too_big as body_too_big
from gateway.tenancy import TenantScopedMixin
from insights.imports import cash
from insights.imports.base import ImportFailed
from insights.imports.filters import TransactionFilter
from insights.imports.models import BankTransaction, DataImport, MovementAlert
from insights.imports.movements import mark_normal, with_normal
from insights.imports.serializers import (
    BankTransactionSerializer,
    CashSerializer,
    ImportErrorSerializer,
    ImportResultSerializer,
    ImportSerializer,
    ImportUploadSerializer,
    MovementAlertSerializer,
    NormalMovementSerializer,
)
from insights.imports.service import (
    MAX_UPLOAD_BYTES,
    Options,
    UndoRefused,
    run_import,
    undo_import,
)
from insights.imports.template import template_csv, template_xlsx

# The multipart envelope around the file (boundaries, the other fields) is small.
ENVELOPE = 64 * 1024
DAILY_CASH_DAYS = 400


def too_big() -> JsonResponse:
    """The gateway's JSON 413 (gateway/body_limit.py), at the imports' own limit."""
    return body_too_big(MAX_UPLOAD_BYTES)


class _SizeLimit(FileUploadHandler):
    """Stops reading an upload past the limit (a body with no or a false Content-Length)."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.seen = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.seen += len(raw_data)
        if self.seen > MAX_UPLOAD_BYTES:
            self.request.import_too_big = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


class ImportListView(TenantScopedMixin, generics.ListAPIView):
    """Past imports, newest first; POST a file (multipart ``file``) to import it."""

    serializer_class = ImportSerializer
    queryset = DataImport.objects.none()
    parser_classes = [MultiPartParser]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return (
            DataImport.objects.filter(tenant=self.tenant)
            .select_related("created_by")
            .order_by("-created_at", "-id")
        )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > MAX_UPLOAD_BYTES + ENVELOPE:
                return too_big()  # refused before a byte of the body is read
            request.upload_handlers.insert(0, _SizeLimit(request))
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer},
        parameters=[OpenApiParameter("dry_run", OpenApiTypes.BOOL, description="write nothing")],
        responses={
            201: ImportResultSerializer,
            200: ImportResultSerializer,
            400: ImportErrorSerializer,
            413: OpenApiResponse(description="The file is larger than 20 MB."),
        },
    )
    def post(self, request: Request, tenant_id: str) -> Response | HttpResponse:
        upload = request.FILES.get("file")
        if getattr(request._request, "import_too_big", False):
            return too_big()
        if upload is None:
            raise ValidationError({"file": ["attach the file as the multipart field 'file'"]})
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            return too_big()
        dry_run = str(request.query_params.get("dry_run", "")).lower() in {"1", "true", "yes"}
        form = request.data if isinstance(request.data, dict) else {}
        options = Options(
            mapping=_mapping(form.get("mapping")),
            date_format=form.get("date_format") or None,
            account=form.get("account") or None,
        )
        try:
            outcome = run_import(
                self.tenant,
                self.user,
                cast(BinaryIO, upload),  # read in blocks where the format allows, never kept
                file_name=upload.name or "",
                kind=form.get("kind") or None,
                dry_run=dry_run,
                options=options,
            )
        except ImportFailed as exc:
            body = {
                "detail": f"{len(exc.problems)} problem(s), nothing was written: "
                + exc.problems[0].sentence(),
                "kind": str(exc.kind or ""),
                "errors": [p.to_dict() for p in exc.problems],
            }
            return Response(body, status=status.HTTP_400_BAD_REQUEST)
        result = {
            "id": outcome.record.pk if outcome.record else None,
            "kind": outcome.kind,
            "status": "dry_run" if dry_run else "done",
            "summary": outcome.summary,
            "warnings": outcome.warnings,
            "periods": outcome.periods,
        }
        code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(result, status=code)


def _mapping(raw: Any) -> dict[str, str] | None:
    if raw in (None, ""):
        return None
    try:
        value = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError:
        raise ValidationError({"mapping": ["must be a JSON object"]}) from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError({"mapping": ["must be a JSON object of column names"]})
    return value


class ImportDetailView(TenantScopedMixin, generics.GenericAPIView):
    """One import; DELETE undoes it (its transactions go, its periods return to before)."""

    serializer_class = ImportSerializer

    def _record(self, import_id: int) -> DataImport:
        return get_object_or_404(DataImport, tenant=self.tenant, pk=import_id)

    def get(self, request: Request, tenant_id: str, import_id: int) -> Response:
        return Response(ImportSerializer(self._record(import_id)).data)

    @extend_schema(responses={200: ImportSerializer})
    def delete(self, request: Request, tenant_id: str, import_id: int) -> Response:
        record = self._record(import_id)
        try:
            record = undo_import(record, self.user)
        except UndoRefused as exc:
            return Response({"detail": exc.message}, status=exc.status)
        return Response(ImportSerializer(record).data)


class TransactionListView(TenantScopedMixin, generics.ListAPIView):
    """The tenant's bank transactions, newest first; filtered by account, import, dates and words
    (``TransactionFilter``)."""

    serializer_class = BankTransactionSerializer
    queryset = BankTransaction.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = TransactionFilter

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return BankTransaction.objects.filter(tenant=self.tenant).order_by("-posted_on", "-id")


class CashView(TenantScopedMixin, APIView):
    """The accounts, the daily cash balance they imply (last 400 days) and monthly flows."""

    @extend_schema(responses={200: CashSerializer})
    def get(self, request: Request, tenant_id: str) -> Response:
        daily = cash.daily_cash(self.tenant)
        days = sorted(daily)[-DAILY_CASH_DAYS:]
        body = {
            "accounts": self.tenant.bank_accounts.order_by("id"),
            "daily": [{"date": day, "balance": daily[day]} for day in days],
            "monthly": [
                {
                    "month": f"{m.month:%Y-%m}",
                    "inflow": m.inflow,
                    "outflow": m.outflow,
                    "closing": m.closing,
                }
                for m in cash.monthly_cash(self.tenant)
            ],
        }
        return Response(CashSerializer(body).data)


class MovementListView(TenantScopedMixin, generics.ListAPIView):
    """Unusual movements raised from imported transactions, newest first, each saying whether it
    was marked normal."""

    serializer_class = MovementAlertSerializer
    queryset = MovementAlert.objects.none()

    def get_queryset(self):  # type: ignore[no-untyped-def]
        alerts = MovementAlert.objects.filter(tenant=self.tenant).select_related("transaction")
        return with_normal(alerts).order_by("-created_at", "-id")


class MovementNormalView(TenantScopedMixin, APIView):
    """ "This is normal": this alert's rule stops alerting for its payee (201; 200 when it
    already was)."""

    @extend_schema(
        request=None, responses={201: NormalMovementSerializer, 200: NormalMovementSerializer}
    )
    def post(self, request: Request, tenant_id: str, movement_id: int) -> Response:
        alert = get_object_or_404(MovementAlert, tenant=self.tenant, pk=movement_id)
        normal, created = mark_normal(alert, self.user)
        body = {"rule": normal.rule, "payee": alert.payee, "created": created}
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(NormalMovementSerializer(body).data, status=code)


class ImportTemplateView(APIView):
    """The monthly periods template: ``template.csv`` or ``template.xlsx``."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request: Request, fmt: str) -> HttpResponse:
        if fmt == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        elif fmt == "xlsx":
            response = HttpResponse(
                template_xlsx(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            return HttpResponse(status=404)
        response["Content-Disposition"] = f'attachment; filename="coach-periods-template.{fmt}"'
        return response
