from django.core.management.base import BaseCommand

from gateway.demo import ADMIN_PASSWORD, ADMIN_USERNAME, DEMO_PASSWORD, DEMO_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Create the demo tenants, users and API token (safe to run again)."

    def handle(self, *args: object, **options: object) -> None:
        result = seed_demo()
        for tenant in result["tenants"]:
            self.stdout.write(f"  tenant {tenant.id}  {tenant.name:<28} {tenant.timezone}")
        self.stdout.write(f"demo user:  {DEMO_USERNAME} / {DEMO_PASSWORD}")
        self.stdout.write(f"admin user: {ADMIN_USERNAME} / {ADMIN_PASSWORD}")
        self.stdout.write(self.style.SUCCESS(f"demo API token: {result['token']}"))
