"""How the code is put together, checked: every refusal carries its HTTP status, and every public
function of a services module says which tier it is (its own durable transaction, or inside the
caller's). The apps' import layers are import-linter's contracts in pyproject.toml (`make lint`)."""

import importlib
import inspect
import re
from pathlib import Path

import pytest
from django.apps import apps

from awsomeshop.exceptions import ShopError

ROOT = Path(__file__).resolve().parents[1]
SERVICE_MODULES = ("services", "ledger", "stock", "budgets", "expiry", "milestones")
# A statement that writes: an ORM write or a cursor's statement.
WRITES = re.compile(r"\.(update|create|bulk_create|bulk_update|save|delete|execute)\(")


def _project_apps():
    return [config for config in apps.get_app_configs() if Path(config.path).parent == ROOT]


def _service_modules():
    for config in _project_apps():
        for name in SERVICE_MODULES:
            if (Path(config.path) / f"{name}.py").exists():
                yield importlib.import_module(f"{config.name}.{name}")


def _public_functions(module):
    for name, function in vars(module).items():
        if not name.startswith("_") and inspect.isfunction(function) and function.__module__ == module.__name__:
            yield name, function


def test_every_public_function_that_writes_is_durable_or_runs_in_its_caller_s_transaction():
    untiered = [
        f"{module.__name__}.{name}"
        for module in _service_modules()
        for name, function in _public_functions(module)
        if getattr(function, "tier", None) is None and WRITES.search(inspect.getsource(inspect.unwrap(function)))
    ]

    assert untiered == []


def test_the_tiers_are_told_apart_by_the_decorators_alone():
    # No module checks for a transaction by hand: `in_transaction` does, in one place.
    checks = sorted(
        str(path.relative_to(ROOT))
        for folder in [ROOT / "awsomeshop", *(Path(config.path) for config in _project_apps())]
        for path in folder.rglob("*.py")
        if "in_atomic_block" in path.read_text()
    )

    assert checks == ["awsomeshop/db.py", "awsomeshop/db_router.py"]


def test_the_tier_check_sees_an_untiered_writer():
    def points_give(*, user_id):
        UserPoints.objects.filter(pk=user_id).update(current_points=1)  # noqa: F821 - never run

    assert WRITES.search(inspect.getsource(points_give))


def _refusals(cls=ShopError):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _refusals(subclass)


@pytest.mark.parametrize("module", ["exceptions", "services", "csv_awards", "csv_codes", "cognito"])
def test_every_refusal_names_its_own_http_status(module):
    for config in _project_apps():
        if (Path(config.path) / f"{module}.py").exists():
            importlib.import_module(f"{config.name}.{module}")
    refusals = list(_refusals())

    assert len(refusals) > 30
    assert [cls.__name__ for cls in refusals if "status" not in vars(cls)] == []
    assert {cls.status for cls in refusals} <= {400, 403, 404, 409, 422, 503}


@pytest.mark.django_db(transaction=True)
def test_work_outside_the_database_refuses_to_run_inside_a_transaction():
    from django.db import transaction

    from notifications.services import notifications_send

    with pytest.raises(RuntimeError, match="call it outside any transaction"), transaction.atomic():
        notifications_send()
