from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gateway.demo import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEMO_PASSWORD,
    DEMO_TENANTS,
    DEMO_USERNAME,
    DemoRefused,
    demo_tenant_id,
    refuse_in_production,
    seed_demo,
)
from gateway.models import Tenant
from insights.demo_bank import STORY as BANK_STORY
from insights.demo_bank import seed_bank_demo
from insights.demo_data import story_periods
from insights.demo_history import seed_history
from insights.financials import upsert_periods
from insights.metrics import shift_month
from insights.models import FinancialPeriod


def last_full_month(tenant: Tenant) -> date:
    month = shift_month(tenant.local_today().replace(day=1), -1)
    if month is None:
        raise ValueError("no month before January of year 1")
    return month


class Command(BaseCommand):
    help = (
        "Create the demo tenants, users, API token, 24 months of books and 90 days of insight "
        "history (safe to run again: only what is missing is created; a demo business's "
        "settings and the months in its books are never reverted)."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            refuse_in_production()
        except DemoRefused as refused:
            raise CommandError(str(refused)) from None
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        result = seed_demo()
        # by id: a user may have renamed a demo business
        stories = {demo_tenant_id(spec.slug): spec.story for spec in DEMO_TENANTS}
        for tenant in result["tenants"]:
            story = stories[tenant.id]
            # only the months missing from its books: a month present (imported or edited by
            # a user) is never overwritten by the story
            present = set(
                FinancialPeriod.objects.filter(tenant=tenant).values_list("month", flat=True)
            )
            missing = [
                period
                for period in story_periods(story, last_full_month(tenant))
                if period["month"] not in present
            ]
            written = upsert_periods(tenant, missing)
            history = seed_history(tenant, tenant.local_today())
            self.stdout.write(
                f"  tenant {tenant.id}  {tenant.name:<24} {tenant.timezone:<20} {story:<20}"
                f" periods: {written.created} new, {written.updated} changed;"
                f" past insights: {history} new"
            )
        bank = seed_bank_demo(result["demo"])  # books that came in as files
        history = seed_history(bank.tenant, bank.tenant.local_today())
        self.stdout.write(
            f"  tenant {bank.tenant.id}  {bank.tenant.name:<24} {bank.tenant.timezone:<20}"
            f" {BANK_STORY:<20} imports: {'; '.join(bank.imported) or 'nothing new'};"
            f" past insights: {history} new"
        )
        self.stdout.write(f"demo user:  {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"admin user: {ADMIN_USERNAME} / {ADMIN_PASSWORD}")
        self.stdout.write(self.style.SUCCESS(f"demo API token: {result['token']}"))
