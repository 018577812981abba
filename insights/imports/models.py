"""What came in through an import: the import record, bank accounts, their transactions and
statement balances, and the unusual movements they raised. Imported by ``insights.models``."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from gateway.models import Tenant


class ImportKind(models.TextChoices):
    PERIODS_CSV = "periods_csv", "Monthly periods (CSV)"
    PERIODS_XLSX = "periods_xlsx", "Monthly periods (XLSX)"
    OFX = "ofx", "Bank statement (OFX/QFX)"
    BANK_CSV = "bank_csv", "Bank statement (CSV export)"
    QUICKBOOKS = "quickbooks", "QuickBooks Online report (JSON)"
    XERO = "xero", "Xero report (JSON)"


# The kinds that bring bank accounts, transactions and statement balances.
BANK_KINDS = (ImportKind.OFX, ImportKind.BANK_CSV)


class ImportStatus(models.TextChoices):
    DONE = "done", "Done"
    UNDONE = "undone", "Undone"


class DataImport(models.Model):
    """One file brought in: who, when, what it changed, and what undoing it restores.

    ``period_changes`` holds, for each month the import wrote, the period's money fields before
    (null: the month did not exist) and after, so an undo restores them exactly. The file itself
    is never kept.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="imports")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.DONE)
    summary = models.JSONField(default=dict)
    warnings = models.JSONField(default=list)
    period_changes = models.JSONField(default=list)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["tenant", "-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="import_tenant_recent_idx")]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.kind} {self.file_name}"


class BankAccount(models.Model):
    """A bank or card account as its statements name it. ``key`` is a digest of the bank's
    account identifiers (never stored in clear); ``mask`` shows its last digits."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="bank_accounts")
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=120, blank=True, default="")
    mask = models.CharField(max_length=16, blank=True, default="")
    account_type = models.CharField(max_length=24, blank=True, default="")
    currency = models.CharField(max_length=3, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="bank_account_one_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.name or self.account_type} {self.mask}".strip()


class BankTransaction(models.Model):
    """One posted transaction. ``bank_id`` is the bank's own id (OFX FITID), or for a CSV export
    a digest of the row's date, amount, description and its rank among identical rows, so the
    same transaction seen in two overlapping statements is stored once."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="transactions")
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")
    posted_on = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=2, help_text="Money in is > 0.")
    currency = models.CharField(max_length=3, blank=True, default="")
    payee = models.CharField(max_length=255, blank=True, default="")
    payee_key = models.CharField(max_length=255, blank=True, default="")  # base.payee_key
    memo = models.CharField(max_length=255, blank=True, default="")
    bank_id = models.CharField(max_length=255)
    kind = models.CharField(max_length=16, blank=True, default="")

    class Meta:
        ordering = ["account", "posted_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "bank_id"], name="bank_transaction_once_per_account"
            )
        ]
        indexes = [
            models.Index(fields=["tenant", "posted_on"], name="bank_tx_tenant_day_idx"),
            models.Index(fields=["data_import"], name="bank_tx_import_idx"),
            models.Index(fields=["tenant", "payee_key"], name="bank_tx_tenant_payee_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.posted_on} {self.amount} {self.payee}"


class SeenAgain(models.Model):
    """A transaction another import also held and skipped as a duplicate. Undoing the import
    that wrote the transaction hands it to the earliest such import still standing, whose
    statement holds it too, instead of deleting it."""

    transaction = models.ForeignKey(
        BankTransaction, on_delete=models.CASCADE, related_name="seen_again"
    )
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "data_import"], name="seen_again_once_per_import"
            )
        ]
        indexes = [models.Index(fields=["data_import"], name="seen_again_import_idx")]

    def __str__(self) -> str:
        return f"{self.transaction_id} in {self.data_import_id}"


class StatementBalance(models.Model):
    """A statement's ledger balance (``amount`` at the end of ``as_of``): the anchor of the
    account's daily cash. ``start``/``end``: the days the statement covers."""

    account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="balances")
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField()
    amount = models.DecimalField(max_digits=18, decimal_places=2)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["account", "as_of", "id"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.amount}"


class MovementRule(models.TextChoices):
    OUTSIDE_HISTORY = "outside_history", "Payment far outside the payee's history"
    NEW_PAYEE = "new_payee", "First payment to a new payee"
    MISSING_RECEIPT = "missing_receipt", "Customer receipt missing on its usual day"


class MovementAlert(models.Model):
    """An unusual movement, raised once (``key`` is unique per tenant) and sent to the inbox."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=24, choices=MovementRule.choices)
    key = models.CharField(max_length=200)
    payee = models.CharField(max_length=255)
    payee_key = models.CharField(max_length=255)
    transaction = models.ForeignKey(
        BankTransaction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data_import = models.ForeignKey(DataImport, on_delete=models.CASCADE, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="movement_alert_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.payee}"


class NormalMovement(models.Model):
    """ "This is normal": the tenant's word that ``rule`` should not alert for this payee."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=24, choices=MovementRule.choices)
    payee_key = models.CharField(max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "rule", "payee_key"], name="normal_movement_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.payee_key}"
