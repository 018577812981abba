from django.apps import AppConfig


class CoachConfig(AppConfig):
    name = "coach"

    def ready(self) -> None:
        # Celery's autodiscovery finds ``tasks`` modules only; the llm queue's tasks live in
        # ``llm_tasks`` so that they route by module name, and are registered here.
        from coach import llm_tasks  # noqa: F401
