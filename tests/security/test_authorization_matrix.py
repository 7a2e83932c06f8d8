"""Every URL of the app (portal, admin, API) × every role → the status it must answer.

The URLs are read from the URL configuration, so a new URL without a rule here fails the test.
"""

import re
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from awsomeshop.db import new_id
from notifications.models import EmailSuppression, Notification
from orders.models import VoucherCode
from orders.services import order_redeem
from points.models import PointsBudget
from points.services import Award, points_award_batch
from shop.models import Product
from shop.services import product_option_create
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "employee", "other_employee", "hr", "catalog_manager", "fulfilment", "superuser"]
STAFF_ROLES = ("hr", "catalog_manager", "fulfilment", "superuser")


def named_patterns(patterns=None, prefix="", namespace=""):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (entry.namespace or namespace)
            )
            yield from named_patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), prefix + str(entry.pattern)


@pytest.fixture
def world(employee, hr_staff, catalog_manager, fulfilment_staff, give_points):
    other = UserFactory(email="other@example.com")
    superuser = UserFactory(email="root@example.com", is_staff=True, is_superuser=True)
    product = ProductFactory(name="Mug", points_cost=10, stock_quantity=10)
    give_points(employee, 100)
    give_points(other, 100)
    order = order_redeem(user_id=employee.pk, product_id=product.pk)
    others_order = order_redeem(user_id=other.pk, product_id=product.pk)
    Token.objects.create(user=employee)
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.auth.models import Group

    from tests.factories import DEFAULT_PASSWORD

    Client().post("/accounts/login/", {"username": other.email, "password": "wrong"})  # an AccessAttempt
    Client().post("/accounts/login/", {"username": other.email, "password": DEFAULT_PASSWORD})  # an AccessLog

    from recognition.models import AllowanceOverride, CompanyValue, MilestoneDates
    from recognition.services import recognition_give

    value = CompanyValue.objects.get_or_create(name="Customer first")[0]
    recognition = recognition_give(
        giver_id=other.pk, receiver_ids=[employee.pk], points_each=5, message="Thanks", value_id=value.pk
    ).recognition
    return {
        "recognition": recognition,
        "company_value": value,
        "allowance_override": AllowanceOverride.objects.create(user=other, monthly_points=5),
        "milestone_dates": MilestoneDates.objects.create(user=other),
        "users": {
            "employee": employee,
            "other_employee": other,
            "hr": hr_staff,
            "catalog_manager": catalog_manager,
            "fulfilment": fulfilment_staff,
            "superuser": superuser,
        },
        "product": product,
        "option": product_option_create(product_id=ProductFactory(name="Tee").pk, name="M", stock_quantity=3),
        "voucher": VoucherCode.objects.create(product=product, code="SECRET-1"),
        "notification": Notification.objects.filter(recipient=employee).first(),
        "suppression": EmailSuppression.objects.create(email="gone@example.com", reason="bounce"),
        "order": order,
        "others_order": others_order,
        "transaction": order.points_transactions.get(),
        "group": Group.objects.get(name="HR"),
        "access_attempt": AccessAttempt.objects.first()
        or AccessAttempt.objects.create(username="x", ip_address="127.0.0.1", failures_since_start=1),
        "access_log": AccessLog.objects.first(),
        "employee": employee,
        "award": employee.points_transactions.get(transaction_type="earned"),
        "budget": PointsBudget.objects.create(starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 31), points=100),
        "award_batch": points_award_batch(
            awards=[Award(employee.pk, 5, "Batch")], awarded_by_id=hr_staff.pk, source="file", batch_id=new_id()
        ).batch,
    }


def object_for(name: str, world) -> str:
    model_key = re.match(r"admin:(\w+?)_(\w+?)_", name)
    key = f"{model_key.group(1)}_{model_key.group(2)}" if model_key else ""
    return {
        "shop_product": world["product"].pk,
        "orders_order": world["order"].pk,
        "orders_fulfilmentorder": world["order"].pk,
        "orders_vouchercode": world["voucher"].pk,
        "notifications_notification": str(world["notification"].pk),
        "notifications_emailsuppression": str(world["suppression"].pk),
        "shop_productoption": world["option"].pk,
        "points_pointstransaction": world["transaction"].pk,
        "points_employee": world["employee"].pk,
        "accounts_user": world["employee"].pk,
        "auth_user": world["employee"].pk,
        "auth_group": str(world["group"].pk),
        "authtoken_tokenproxy": world["employee"].pk,
        "axes_accessattempt": str(world["access_attempt"].pk),
        "axes_accesslog": str(world["access_log"].pk),
        "points_awardbatch": world["award_batch"].pk,
        "points_pointsbudget": str(world["budget"].pk),
        "shop_category": str(__import__("shop.models").models.Category.objects.first().pk),
        "audit_auditentry": str(__import__("audit.models").models.AuditEntry.objects.first().pk),
        "recognition_recognition": world["recognition"].pk,
        "recognition_companyvalue": str(world["company_value"].pk),
        "recognition_allowancepolicy": "1",
        "recognition_allowanceoverride": world["allowance_override"].pk,
        "recognition_milestonedates": world["milestone_dates"].pk,
        "recognition_milestonerule": str(__import__("recognition.models").models.MilestoneRule.objects.first().pk),
    }.get(key, "999999")  # no such object: the admin answers with a redirect to its index


def concrete(name: str, pattern: str, world) -> str:
    path = pattern.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<app_label>[^)]*\)", "points", path)
    path = path.replace("<str:product_id>", world["product"].pk).replace("<str:order_id>", world["order"].pk)
    path = path.replace("<path:content_type_id>", str(ContentType.objects.get_for_model(Product).pk))
    object_id = {"admin:view_on_site": world["product"].pk, "admin:points_pointstransaction_reverse": world["award"].pk}
    path = path.replace("<path:object_id>", object_id.get(name) or object_for(name, world))
    path = path.replace("<str:award_id>", world["award"].pk).replace("<str:request_id>", world["award_batch"].pk)
    path = path.replace("<id>", world["employee"].pk).replace("<str:batch_id>", world["award_batch"].pk)
    path = path.replace("<str:notification_id>", str(world["notification"].pk))
    path = path.replace("<str:recognition_id>", world["recognition"].pk).replace("<str:kind>", "heart")
    path = path.replace("<str:user_id>", world["employee"].pk)
    return "/" + path


# --- The rules -------------------------------------------------------------------------------
# Statuses by role, in ROLES order. R = redirect to sign-in; for the admin, to the admin's sign-in.
PORTAL = {"anonymous": 302, "default": 200}
ADMIN_STAFF_ONLY = {"anonymous": 302, "employee": 302, "other_employee": 302}


def admin_rule(
    view_roles: set[str], *, add: set[str] = frozenset(), change: set[str] = frozenset(), delete: set[str] = frozenset()
):
    """Expected statuses for a model's admin URLs, from which roles may view, add, change, delete."""

    def expect(kind: str) -> dict:
        allowed = {"changelist": view_roles, "change": view_roles, "history": view_roles, "add": add, "delete": delete}[
            kind
        ]
        return {
            **ADMIN_STAFF_ONLY,
            **{role: (200 if role in allowed else 403) for role in STAFF_ROLES},
        }

    return expect


ADMIN_MODELS = {
    "auth_group": admin_rule({"superuser"}, add={"superuser"}, delete={"superuser"}),
    "accounts_user": admin_rule({"superuser"}, add={"superuser"}, delete={"superuser"}),
    "authtoken_tokenproxy": admin_rule({"superuser"}, add={"superuser"}, delete={"superuser"}),
    "axes_accessattempt": admin_rule({"superuser"}, delete={"superuser"}),
    "axes_accesslog": admin_rule({"superuser"}, delete={"superuser"}),
    # No failure-log rows exist (that log is off), so its object pages redirect; see EXACT below.
    "axes_accessfailurelog": admin_rule({"superuser"}, delete={"superuser"}),
    "shop_product": admin_rule({"catalog_manager", "superuser"}, add={"catalog_manager", "superuser"}),
    "points_employee": admin_rule({"hr", "superuser"}, add={"hr", "superuser"}),
    "points_pointstransaction": admin_rule({"hr", "superuser"}),
    "orders_order": admin_rule({"hr", "superuser"}),
    "orders_fulfilmentorder": admin_rule({"fulfilment", "superuser"}),
    "orders_vouchercode": admin_rule({"fulfilment", "superuser"}, add={"fulfilment", "superuser"}),
    "notifications_notification": admin_rule({"hr", "superuser"}),
    # Lifted by an action (HR's), never through the delete page.
    "notifications_emailsuppression": admin_rule({"hr", "superuser"}),
    "shop_productoption": admin_rule({"catalog_manager", "superuser"}, add={"catalog_manager", "superuser"}),
    "points_awardbatch": admin_rule({"hr", "superuser"}),
    "shop_category": admin_rule({"catalog_manager", "superuser"}, add={"catalog_manager", "superuser"}),
    "points_pointsbudget": admin_rule({"hr", "superuser"}, add={"superuser"}, delete={"superuser"}),
    "audit_auditentry": admin_rule({"hr", "superuser"}),
    # Recognition: HR keeps values, allowances and milestones; nothing of it is ever deleted but
    # a person's own allowance; recognitions are hidden, never edited (tests/recognition).
    "recognition_companyvalue": admin_rule({"hr", "superuser"}, add={"hr", "superuser"}),
    "recognition_allowancepolicy": admin_rule({"hr", "superuser"}),
    "recognition_allowanceoverride": admin_rule(
        {"hr", "superuser"}, add={"hr", "superuser"}, delete={"hr", "superuser"}
    ),
    "recognition_recognition": admin_rule({"hr", "superuser"}),
    "recognition_milestonedates": admin_rule({"hr", "superuser"}, add={"hr", "superuser"}),
    "recognition_milestonerule": admin_rule({"hr", "superuser"}, add={"hr", "superuser"}),
}

EXACT = {
    # portal
    "login": {role: (302 if role != "anonymous" else 200) for role in ROLES},
    "logout": {role: 405 for role in ROLES},  # sign-out is a POST
    "language_choose": {role: 405 for role in ROLES},  # a POST; one's own setting: tests/test_languages.py
    "new_password": {role: 302 for role in ROLES},  # only in a Cognito sign-in under way
    "mfa": {role: 302 for role in ROLES},
    "password_reset": {role: 200 for role in ROLES},
    "password_reset_confirm": {role: 302 for role in ROLES},  # only after asking for a code
    "shop:product_list": PORTAL,
    "shop:product_detail": PORTAL,
    "orders:redeem": PORTAL,
    "orders:order_list": PORTAL,
    "orders:order_detail": {"anonymous": 302, "employee": 200, "default": 404},  # only the owner
    "orders:order_cancel": {"anonymous": 302, "employee": 405, "default": 405},  # a POST, the owner's
    "points:history": PORTAL,
    "shop:wishlist": PORTAL,
    "shop:wishlist_change": {"anonymous": 302, "default": 405},  # a POST, to one's own wishlist
    "recognition:feed": PORTAL,
    "recognition:give": PORTAL,
    "recognition:person": PORTAL,
    "recognition:detail": PORTAL,  # a public one; private ones: tests/recognition
    "recognition:birthday_sharing": {"anonymous": 302, "default": 405},  # a POST, one's own
    "recognition:add_points": {"anonymous": 302, "default": 405},  # a POST, from one's own allowance
    "recognition:react": {"anonymous": 302, "default": 405},  # a POST
    "notifications:list": PORTAL,
    "notifications:preferences": PORTAL,
    "notifications:read_all": {"anonymous": 302, "default": 405},  # a POST
    "notifications:open": {"anonymous": 302, "default": 405},  # a POST; someone else's: tests/notifications
    # API: 401 without credentials; orders are the owner's; awards are HR's
    "v1:token": {"anonymous": 401, "default": 405},  # POST signs in; GET is not a thing
    "v1:product_list": {"anonymous": 401, "default": 200},
    "v1:product_detail": {"anonymous": 401, "default": 200},
    "v1:category_list": {"anonymous": 401, "default": 200},
    "v1:me": {"anonymous": 401, "default": 200},
    "v1:my_transactions": {"anonymous": 401, "default": 200},
    "v1:my_points_expiry": {"anonymous": 401, "default": 200},
    "v1:my_wishlist": {"anonymous": 401, "default": 200},
    "v1:my_wishlist_entry": {"anonymous": 401, "default": 405},  # PUT and DELETE, one's own
    "v1:my_notifications": {"anonymous": 401, "default": 200},
    "v1:recognition_list": {"anonymous": 401, "default": 200},
    "v1:recognition_detail": {"anonymous": 401, "default": 200},
    "v1:recognition_add_points": {"anonymous": 401, "default": 405},  # a POST
    "v1:recognition_reaction": {"anonymous": 401, "default": 405},  # PUT and DELETE
    "v1:company_value_list": {"anonymous": 401, "default": 200},
    "v1:my_allowance": {"anonymous": 401, "default": 200},
    "v1:notifications_read_all": {"anonymous": 401, "default": 405},
    "v1:notifications_unread_count": {"anonymous": 401, "default": 200},
    "v1:notification_read": {"anonymous": 401, "default": 405},
    "v1:order_list": {"anonymous": 401, "default": 200},
    "v1:order_detail": {"anonymous": 401, "employee": 200, "default": 404},
    "v1:order_cancel": {"anonymous": 401, "default": 405},  # a POST; others' orders are 404 (tests/api)
    # Permission before method: only HR gets as far as "GET is not allowed".
    "v1:award_create": {"anonymous": 401, "hr": 405, "superuser": 405, "default": 403},
    "v1:award_reversals": {"anonymous": 401, "hr": 200, "superuser": 200, "default": 403},
    "v1:award_request_list": {"anonymous": 401, "hr": 200, "superuser": 200, "default": 403},
    "v1:award_request_approve": {"anonymous": 401, "hr": 405, "superuser": 405, "default": 403},
    "v1:award_request_reject": {"anonymous": 401, "hr": 405, "superuser": 405, "default": 403},
    "schema": {role: 200 for role in ROLES},
    "docs": {role: 200 for role in ROLES},
    # admin, beyond the models
    "admin:index": {**ADMIN_STAFF_ONLY, "default": 200},
    # Catalog managers see only what sells and what is wished for (tests/shop/test_wishlist.py).
    "admin:programme_dashboard": {
        **ADMIN_STAFF_ONLY,
        "hr": 200,
        "superuser": 200,
        "catalog_manager": 200,
        "default": 403,
    },
    "admin:login": {"anonymous": 200, "employee": 200, "other_employee": 200, "default": 302},
    "admin:logout": {**ADMIN_STAFF_ONLY, "default": 405},
    "admin:password_change": {**ADMIN_STAFF_ONLY, "default": 200},
    "admin:password_change_done": {**ADMIN_STAFF_ONLY, "default": 200},
    "admin:autocomplete": {**ADMIN_STAFF_ONLY, "default": 403},  # needs a model and field to complete
    "admin:jsi18n": {**ADMIN_STAFF_ONLY, "default": 200},
    "admin:view_on_site": {**ADMIN_STAFF_ONLY, "default": 302},
    "admin:app_list": {**ADMIN_STAFF_ONLY, "hr": 200, "catalog_manager": 404, "fulfilment": 404, "superuser": 200},
    "admin:auth_user_password_change": {**ADMIN_STAFF_ONLY, "superuser": 200, "default": 403},
    "admin:points_employee_award": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:points_employee_award_file": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:points_employee_award_result": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:points_pointstransaction_export": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:points_pointstransaction_reverse": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:points_awardbatch_decide": {**ADMIN_STAFF_ONLY, "hr": 302, "superuser": 302, "default": 403},
    "admin:recognition_recognition_hide": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:recognition_milestonedates_import": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    # The one policy: its list opens it.
    "admin:recognition_allowancepolicy_changelist": {
        **ADMIN_STAFF_ONLY,
        "hr": 302,
        "superuser": 302,
        "default": 403,
    },
    "admin:audit_auditentry_export": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:orders_order_export": {**ADMIN_STAFF_ONLY, "hr": 200, "superuser": 200, "default": 403},
    "admin:orders_fulfilmentorder_export": {**ADMIN_STAFF_ONLY, "fulfilment": 200, "superuser": 200, "default": 403},
    # Permission first for change and delete; history looks the (missing) row up first.
    "admin:axes_accessfailurelog_change": {**ADMIN_STAFF_ONLY, "superuser": 302, "default": 403},
    "admin:axes_accessfailurelog_delete": {**ADMIN_STAFF_ONLY, "superuser": 302, "default": 403},
    "admin:axes_accessfailurelog_history": {**ADMIN_STAFF_ONLY, "default": 302},
}


def expected(name: str, role: str) -> int:
    if name in EXACT:
        rule = EXACT[name]
        return rule.get(role, rule.get("default"))
    match = re.fullmatch(r"admin:(\w+)_(changelist|add|change|delete|history)", name)
    if match:
        for model, rule in ADMIN_MODELS.items():
            if match.group(1) == model:
                return rule(match.group(2))[role]
    raise LookupError(f"No authorization rule for the URL {name!r}: add one to this test.")


def client_for(role: str, world) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def test_every_url_answers_every_role_as_the_rules_say(world):
    urls = list(named_patterns())
    mismatches, checked = [], 0
    for role in ROLES:
        client = client_for(role, world)
        for name, pattern in urls:
            want = expected(name, role)
            got = client.get(concrete(name, pattern, world)).status_code
            checked += 1
            if got != want:
                mismatches.append(f"{role:16} {name:45} expected {want}, got {got}")
    assert mismatches == [], "\n".join(mismatches)
    assert checked == len(urls) * len(ROLES) >= 80 * 6


def test_a_url_without_a_rule_fails_the_matrix():
    with pytest.raises(LookupError, match="No authorization rule for the URL 'brand-new'"):
        expected("brand-new", "employee")


# --- Every other method --------------------------------------------------------------------------
WRITE_METHODS = ("post", "put", "patch", "delete")
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
# Writes that are public by design: signing in.
PUBLIC_WRITES = {("v1:token", "post")}
# What the test may change: sessions and sign-in records are not business data.
NOT_BUSINESS_DATA = {"django_session", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}
# The names that send a form down its writing branch (a confirmation, an admin action, a save), so
# a view that checks permissions only on its other branch is caught too.
WRITE_FORM = {"confirm": "1", "apply": "1", "_save": "1", "post": "yes", "action": "delete_selected"}


def is_denial(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and response["Location"].startswith(LOGIN_PAGES)


def business_data() -> dict[str, int]:
    from django.apps import apps

    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.db_table not in NOT_BUSINESS_DATA
    }


def test_no_role_can_write_where_it_may_not_read(world):
    """For every URL and role that GET refuses, POST, PUT, PATCH and DELETE are refused too (or
    the view takes no such method), and nothing changes: a write view that forgot its permission
    check fails here, whatever it answers to GET."""
    urls = list(named_patterns())
    before = business_data()
    slipped, checked = [], 0
    for role in ROLES:
        client = client_for(role, world)
        for name, pattern in urls:
            path = concrete(name, pattern, world)
            if not is_denial(client.get(path)):
                continue
            for method in WRITE_METHODS:
                if (name, method) in PUBLIC_WRITES:
                    continue
                response = getattr(client, method)(path, WRITE_FORM if method == "post" else "")
                checked += 1
                # 405: no such method here; 429: the sign-in throttle refused before anything ran.
                if response.status_code not in (405, 429) and not is_denial(response):
                    slipped.append(f"{role:16} {method.upper():6} {name:45} answered {response.status_code}")
    assert slipped == [], "\n".join(slipped)
    assert business_data() == before
    assert checked > 500
