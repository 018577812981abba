"""The feedback tests use the coach tests' recommendations from real books."""

from tests.coach.conftest import recommendation  # noqa: F401 - a fixture, shared
