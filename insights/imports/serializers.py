"""The imports API's shapes (responses are built by the views from the service's outcome)."""

from __future__ import annotations

from rest_framework import serializers

from insights.imports import movements
from insights.imports.models import (
    BankAccount,
    BankTransaction,
    DataImport,
    ImportKind,
    MovementAlert,
)
from insights.metrics import MONEY_FIELDS


class ImportAccountSerializer(serializers.Serializer):
    name = serializers.CharField()
    mask = serializers.CharField()
    account_type = serializers.CharField()
    currency = serializers.CharField()
    new = serializers.BooleanField()
    transactions_added = serializers.IntegerField()
    duplicates_skipped = serializers.IntegerField()


class ImportSummarySerializer(serializers.Serializer):
    periods_created = serializers.IntegerField()
    periods_updated = serializers.IntegerField()
    transactions_added = serializers.IntegerField()
    duplicates_skipped = serializers.IntegerField()
    accounts = ImportAccountSerializer(many=True)


PeriodValuesSerializer = type(
    "PeriodValuesSerializer",
    (serializers.Serializer,),
    {name: serializers.CharField(allow_null=True) for name in MONEY_FIELDS},
)


class PeriodPreviewSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    action = serializers.ChoiceField(choices=["created", "updated"])
    values = PeriodValuesSerializer()


class ImportSerializer(serializers.ModelSerializer):
    """One past import, as the history lists it."""

    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    summary = ImportSummarySerializer()
    warnings = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = DataImport
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "size",
            "created_at",
            "created_by",
            "summary",
            "warnings",
            "undone_at",
        ]


class ImportResultSerializer(serializers.Serializer):
    """The answer to an upload: 201 with the new import's id, or 200 for a dry run (no id)."""

    id = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    status = serializers.ChoiceField(choices=["done", "dry_run"])
    summary = ImportSummarySerializer()
    warnings = serializers.ListField(child=serializers.CharField())
    periods = PeriodPreviewSerializer(many=True)


class ImportProblemSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    row = serializers.CharField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    field = serializers.CharField()
    message = serializers.CharField()


# A class built by ``type``: a field named ``errors`` would shadow Serializer.errors.
ImportErrorSerializer = type(
    "ImportErrorSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "A file that cannot be imported: every problem at its place; nothing written.",
        "detail": serializers.CharField(),
        "kind": serializers.CharField(allow_blank=True),
        "errors": ImportProblemSerializer(many=True),
    },
)


class ImportUploadSerializer(serializers.Serializer):
    """For the schema: the multipart form the view reads."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=ImportKind.choices, required=False)
    mapping = serializers.CharField(
        required=False,
        help_text='bank_csv: JSON naming the columns, e.g. {"date": "Posting Date", '
        '"description": "Details", "amount": "Value", "balance": "Balance"}',
    )
    date_format = serializers.CharField(required=False, help_text="bank_csv: e.g. %d/%m/%Y")
    account = serializers.CharField(required=False, help_text="bank_csv: the account's name")


class BankAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankAccount
        fields = ["id", "name", "mask", "account_type", "currency", "created_at"]


class BankTransactionSerializer(serializers.ModelSerializer):
    class Meta:
        model = BankTransaction
        fields = [
            "id",
            "account",
            "posted_on",
            "amount",
            "currency",
            "payee",
            "memo",
            "kind",
            "data_import",
        ]


class DailyCashSerializer(serializers.Serializer):
    date = serializers.DateField()
    balance = serializers.DecimalField(max_digits=18, decimal_places=2)


class MonthCashSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    inflow = serializers.DecimalField(max_digits=18, decimal_places=2)
    outflow = serializers.DecimalField(max_digits=18, decimal_places=2)
    closing = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)


class CashSerializer(serializers.Serializer):
    accounts = BankAccountSerializer(many=True)
    daily = DailyCashSerializer(many=True)
    monthly = MonthCashSerializer(many=True)


class MovementAlertSerializer(serializers.ModelSerializer):
    """An unusual movement, with the transaction's date and amount when it is about one (a
    missing receipt is about none) and whether it was since marked normal."""

    title = serializers.SerializerMethodField()
    posted_on = serializers.DateField(source="transaction.posted_on", allow_null=True, default=None)
    amount = serializers.DecimalField(
        source="transaction.amount",
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        default=None,
        help_text="Money in is > 0.",
    )
    currency = serializers.CharField(source="transaction.currency", allow_null=True, default=None)
    normal = serializers.BooleanField(
        help_text="Its rule was marked normal for this payee: it will not alert again."
    )

    class Meta:
        model = MovementAlert
        fields = [
            "id",
            "rule",
            "title",
            "payee",
            "reason",
            "transaction",
            "posted_on",
            "amount",
            "currency",
            "normal",
            "created_at",
        ]

    def get_title(self, alert: MovementAlert) -> str:
        return movements.title(alert)


class NormalMovementSerializer(serializers.Serializer):
    rule = serializers.CharField()
    payee = serializers.CharField()
    created = serializers.BooleanField(help_text="False: it was already marked normal.")
