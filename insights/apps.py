from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"

    def ready(self) -> None:
        from insights import signals  # noqa: F401 - connects the schedule signals
