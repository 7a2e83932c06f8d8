"""The demo data `manage.py seed_demo` loads: a believable catalog with locally drawn images,
the demo users and some points history. Every write goes through the services."""

import io
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from accounts import roles
from awsomeshop.db import new_id
from awsomeshop.timezones import company_today
from orders.models import OrderStatus
from orders.services import OrderDetails, order_redeem, order_status_change, voucher_codes_import
from points.budgets import BudgetChanges, LimitEdit, budget_save
from points.models import AwardBatch, PointsBudget, PointsTransaction
from points.services import Award, award_request_approve, points_award_batch, points_reverse
from recognition.milestones import milestones_award
from recognition.models import CompanyValue, MilestoneDates
from recognition.services import milestone_dates_save, recognition_add_points, recognition_give, recognition_react
from shop.models import Category, DeliveryMethod, Product, category_key
from shop.services import category_create, product_create, product_option_create
from shop.wishlist import wishlist_add

from .users import DEMO_USERS

CATEGORY_COLOURS = {
    "Tech": ((37, 99, 235), (14, 165, 233)),
    "Home & Office": ((124, 58, 237), (236, 72, 153)),
    "Wellbeing": ((5, 150, 105), (132, 204, 22)),
    "Experiences": ((234, 88, 12), (250, 204, 21)),
    "Apparel": ((15, 23, 42), (71, 85, 105)),
    "Food & Drink": ((190, 18, 60), (251, 113, 133)),
    "Gift cards": ((13, 148, 136), (45, 212, 191)),
}

# name, category, points, stock, description
CATALOG = [
    (
        "Noise-cancelling headphones",
        "Tech",
        2400,
        8,
        "Over-ear wireless headphones with 30 hours of battery and a travel case.",
    ),
    ("Mechanical keyboard", "Tech", 1300, 12, "Tenkeyless, hot-swappable switches, USB-C, white backlight."),
    ("Wireless mouse", "Tech", 450, 25, "Quiet clicks, three devices, a battery that lasts months."),
    ("4K webcam", "Tech", 1100, 6, "Sharp video calls with auto-framing and a privacy shutter."),
    ("Portable SSD 1 TB", "Tech", 950, 10, "Pocket-sized USB-C drive, up to 1,000 MB/s."),
    ("Smart speaker", "Tech", 700, 0, "Room-filling sound and a microphone you can switch off."),
    ("E-reader", "Tech", 1500, 5, "Glare-free 7-inch screen, waterproof, weeks of battery."),
    ("Power bank 20,000 mAh", "Tech", 400, 30, "Charges a laptop once or a phone four times."),
    ("Standing desk mat", "Home & Office", 350, 20, "Anti-fatigue mat that makes standing meetings bearable."),
    ("Ergonomic desk chair cushion", "Home & Office", 300, 18, "Memory-foam seat cushion for long days."),
    (
        "Desk plant: snake plant",
        "Home & Office",
        150,
        40,
        "Hard to kill, easy on the eyes, delivered in a ceramic pot.",
    ),
    ("Monitor light bar", "Home & Office", 600, 9, "Lights the desk, not the screen; dimmable warm to cold."),
    ("Notebook set", "Home & Office", 120, 60, "Three dotted A5 notebooks with lay-flat binding."),
    ("Insulated bottle", "Home & Office", 200, 45, "Keeps water cold for 24 hours and coffee hot for 12."),
    ("Yoga mat", "Wellbeing", 350, 15, "Non-slip, 6 mm thick, with a carry strap."),
    ("Meditation app, one year", "Wellbeing", 500, 100, "A year of guided meditations and sleep stories."),
    ("Massage voucher", "Wellbeing", 900, 10, "A 60-minute massage at a partner spa near the office."),
    ("Fitness tracker", "Wellbeing", 1600, 7, "Heart rate, sleep and steps, a week per charge."),
    ("Gym day pass bundle", "Wellbeing", 400, 25, "Ten day passes for the gym network in town."),
    ("Cooking class for two", "Experiences", 1800, 4, "An evening class with a chef, dinner included."),
    ("Concert tickets", "Experiences", 2000, 3, "Two tickets for a show of your choice this season."),
    ("Extra day off", "Experiences", 3000, 50, "One more day of paid leave, agreed with your manager."),
    ("Hot-air balloon ride", "Experiences", 6000, 1, "Sunrise flight over the countryside, champagne on landing."),
    ("Team lunch", "Experiences", 1200, 10, "Lunch for you and four colleagues at a place you pick."),
    ("AWSomeShop hoodie", "Apparel", 450, 35, "Heavyweight organic cotton hoodie with the AWSomeShop logo."),
    ("AWSomeShop T-shirt", "Apparel", 200, 80, "Soft organic cotton tee in navy or grey."),
    ("Rain jacket", "Apparel", 1400, 6, "Packable, waterproof, breathable."),
    ("Cap", "Apparel", 150, 0, "Six-panel cap with an embroidered logo."),
    ("Coffee subscription, three months", "Food & Drink", 900, 20, "A bag of freshly roasted beans every month."),
    ("Chocolate box", "Food & Drink", 180, 40, "Twenty-four handmade pralines from a local chocolatier."),
    ("Tea sampler", "Food & Drink", 160, 30, "Twelve loose-leaf teas from four continents."),
    ("Bookshop gift card", "Gift cards", 500, 200, "Worth 50 at the bookshop chain, online or in store."),
    ("Charity donation", "Gift cards", 1000, 999, "We donate 100 to the charity of your choice in your name."),
    ("Retro game console", "Tech", 1900, 2, "Mini console with 30 classic games built in. No longer offered."),
]
RETIRED_PRODUCTS = {"Retro game console"}

# How each category is delivered, and the products that differ from their category.
CATEGORY_DELIVERY = {
    "Tech": DeliveryMethod.SHIPPED,
    "Home & Office": DeliveryMethod.PICKUP,
    "Wellbeing": DeliveryMethod.DIGITAL,
    "Experiences": DeliveryMethod.DIGITAL,
    "Apparel": DeliveryMethod.SHIPPED,
    "Food & Drink": DeliveryMethod.PICKUP,
    "Gift cards": DeliveryMethod.DIGITAL,
}
PRODUCT_DELIVERY = {
    "Yoga mat": DeliveryMethod.SHIPPED,
    "Fitness tracker": DeliveryMethod.SHIPPED,
    "Coffee subscription, three months": DeliveryMethod.SHIPPED,
}
# Options with their own stock: (label, [(name, stock), ...]); the product's stock is their sum.
PRODUCT_OPTIONS = {
    "AWSomeShop hoodie": ("Size", [("S", 6), ("M", 12), ("L", 10), ("XL", 7)]),
    "AWSomeShop T-shirt": (
        "Colour and size",
        [("Navy, S", 10), ("Navy, M", 15), ("Navy, L", 12), ("Grey, S", 0), ("Grey, M", 10), ("Grey, L", 8)],
    ),
    "Rain jacket": ("Size", [("S", 1), ("M", 3), ("L", 2)]),
}
NOTE_PROMPTS = {
    "Charity donation": "Which charity should receive the donation?",
    "Team lunch": "Who is coming along, and when would suit you?",
}
# Digital rewards whose codes are loaded in advance and handed out at once, one per order.
CODE_POOLS = {"Bookshop gift card": "BOOK", "Meditation app, one year": "CALM", "Gym day pass bundle": "GYM"}


DEMO_AWARDS = [
    (1500, "Welcome to AWSomeShop"),
    (800, "Q3 recognition: shipped the new onboarding"),
    (500, "Hackathon winner"),
]
DEMO_ADDRESS = "Emma Employee\n12 Harbour Street\nBristol BS1 4RN"
DEMO_DESK = "Bristol office, 3rd floor, desk 3.14"


def product_image_draw(*, name: str, category: str, size: tuple[int, int] = (800, 600)) -> bytes:
    """A PNG for the product: the category's gradient with the product's name on it."""
    start, end = CATEGORY_COLOURS.get(category, ((71, 85, 105), (148, 163, 184)))
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        mix = y / height
        draw.line([(0, y), (width, y)], fill=tuple(round(a + (b - a) * mix) for a, b in zip(start, end, strict=True)))
    initials = "".join(word[0] for word in name.split()[:2]).upper()
    draw.text((width / 2, height / 2 - 40), initials, font=ImageFont.load_default(size=180), fill="white", anchor="mm")
    draw.text((width / 2, height - 90), name, font=ImageFont.load_default(size=40), fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def catalog_seed() -> int:
    """The demo products with their images; returns how many were new."""
    existing = set(Product.objects.values_list("name", flat=True))
    known = {category_key(name) for name in Category.objects.values_list("name", flat=True)}
    for category in dict.fromkeys(row[1] for row in CATALOG):
        if category_key(category) not in known:
            category_create(name=category)
    created = 0
    for name, category, cost, stock, description in CATALOG:
        if name in existing:
            continue
        image = ContentFile(product_image_draw(name=name, category=category), name=f"{name}.png")
        product = product_create(
            name=name,
            category=category,
            points_cost=cost,
            stock_quantity=stock,
            description=description,
            is_active=name not in RETIRED_PRODUCTS,
            image=image,
            delivery_method=PRODUCT_DELIVERY.get(name, CATEGORY_DELIVERY[category]),
            option_label=PRODUCT_OPTIONS.get(name, ("", []))[0],
            note_prompt=NOTE_PROMPTS.get(name, ""),
        )
        for position, (option, option_stock) in enumerate(PRODUCT_OPTIONS.get(name, ("", []))[1]):
            product_option_create(product_id=product.pk, name=option, stock_quantity=option_stock, position=position)
        if name in CODE_POOLS:
            codes = [f"{CODE_POOLS[name]}-{product.pk[:4].upper()}-{number:04d}" for number in range(1, 21)]
            voucher_codes_import(product_id=product.pk, codes=codes, added_by_id=None)
        created += 1
    return created


def _users_seed(*, cognito: bool) -> dict[str, object]:
    """The demo users with their roles. With Cognito the users come from the pool (run
    `sync_cognito_users` first), and the pool's `hr` group gives the HR role; the roles Cognito
    does not carry (catalog manager, superuser) are given here, as a superuser would."""
    users = {}
    manager = get_user_model().objects
    for demo in DEMO_USERS:
        user = manager.filter(email=demo.email).first()
        if user is None and cognito:
            raise LookupError(f"{demo.email} is not among the local users: run sync_cognito_users first.")
        if user is None:
            create = manager.create_superuser if demo.is_superuser else manager.create_user
            user = create(
                demo.email, demo.password, first_name=demo.first_name, last_name=demo.last_name, is_staff=demo.is_staff
            )
        if demo.is_superuser and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        if demo.group and not (cognito and demo.group == roles.HR):
            user.groups.add(Group.objects.get(name=demo.group))
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        users[demo.email] = user
    return users


def _award(*, user, amount: int, reason: str, hr, approver):
    """One award as HR makes it: a one-time request from the award form; one large enough to
    need a second pair of eyes is approved by `approver`. Returns its ledger row."""
    outcome = points_award_batch(
        awards=[Award(user.pk, amount, reason)], awarded_by_id=hr.pk, source=AwardBatch.Source.FORM, batch_id=new_id()
    )
    if outcome.batch.status == AwardBatch.Status.PENDING:
        outcome = award_request_approve(batch_id=outcome.batch.pk, approved_by_id=approver.pk)
    return outcome.transactions[0]


def _history_seed(*, employee, awarded_by, approver, fulfilment) -> bool:
    """Awards, and three orders at three points of their life: a hoodie in size M shipped to the
    employee's address, a bottle waiting at their desk, a gift card whose code came at once."""
    if PointsTransaction.objects.filter(user=employee).exists():
        return False
    for amount, reason in DEMO_AWARDS:
        _award(user=employee, amount=amount, reason=reason, hr=awarded_by, approver=approver)
    hoodie = Product.objects.get(name="AWSomeShop hoodie")
    address = DEMO_ADDRESS.replace("Emma Employee", employee.get_full_name() or employee.email)
    shipped = order_redeem(
        user_id=employee.pk,
        product_id=hoodie.pk,
        details=OrderDetails(option_id=hoodie.options.get(name="M").pk, delivery_address=address),
    )
    bottle = order_redeem(
        user_id=employee.pk,
        product_id=Product.objects.get(name="Insulated bottle").pk,
        details=OrderDetails(pickup_location=DEMO_DESK),
    )
    order_redeem(user_id=employee.pk, product_id=Product.objects.get(name="Bookshop gift card").pk)
    steps = [
        ([shipped.pk, bottle.pk], OrderStatus.PROCESSING, {}),
        (
            [shipped.pk],
            OrderStatus.SHIPPED,
            {"carrier": "Royal Mail", "tracking_numbers": {shipped.pk: "RM123456785GB"}},
        ),
    ]
    for order_ids, status, extra in steps:
        order_status_change(order_ids=order_ids, to_status=status, changed_by_id=fulfilment.pk, **extra)
    return True


# Earlier months of the programme, so the dashboard's chart has a history: (months ago, points).
DEMO_PAST_AWARDS = [(5, 400), (4, 650), (3, 300), (2, 900), (1, 550)]
DEMO_BUDGET, DEMO_HR_LIMIT = 50_000, 20_000


@contextmanager
def _clock_at(moment):
    """The demo's history, written through the services as if on an earlier day."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _programme_seed(*, hr, admin, employee, colleague) -> None:
    """The programme as HR finds it: a history of awards and redemptions over five months, this
    month's budget with HR's limit, a correction, and a large award waiting for approval."""
    if AwardBatch.objects.filter(pk="demo-large-award").exists():
        return
    now = timezone.now()
    gift = (
        Product.objects.filter(is_active=True, delivery_method=DeliveryMethod.DIGITAL).order_by("points_cost").first()
    )
    for months_ago, amount in DEMO_PAST_AWARDS:
        with _clock_at(now - timedelta(days=30 * months_ago)):
            _award(user=colleague, amount=amount, reason="Monthly shout-out", hr=hr, approver=admin)
            if gift is not None:
                order_redeem(user_id=colleague.pk, product_id=gift.pk)
    today = timezone.localdate()
    if not PointsBudget.objects.filter(starts_on__lte=today, ends_on__gte=today).exists():
        last_day = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        budget_save(
            budget_id=None,
            starts_on=today.replace(day=1),
            ends_on=last_day,
            points=DEMO_BUDGET,
            note="Demo: this month's programme",
            limit_edits=[LimitEdit(limit_id=None, giver_id=hr.pk, points=DEMO_HR_LIMIT)],
            saved_by_id=admin.pk,
            changes=BudgetChanges(before={}, after={"points": DEMO_BUDGET, "limits": {hr.email: DEMO_HR_LIMIT}}),
        )
    typo = _award(user=colleague, amount=1000, reason="Team offsite", hr=hr, approver=admin)
    points_reverse(
        award_id=typo.pk,
        amount=900,
        reason="Typo: the offsite award is 100 points",
        reversed_by_id=admin.pk,
        source=AwardBatch.Source.FORM,
        batch_id="demo-correction",
    )
    points_award_batch(
        awards=[Award(employee.pk, 2500, "Led the office move")],
        awarded_by_id=hr.pk,
        source=AwardBatch.Source.FORM,
        batch_id="demo-large-award",
    )


DEMO_WISHES = ("Noise-cancelling headphones", "Yoga mat")


def _wishlist_seed(*, employee) -> None:
    """Two wishes: one the employee's points cover, one they are still saving for."""
    for product in Product.objects.filter(name__in=DEMO_WISHES, is_active=True):
        wishlist_add(user_id=employee.pk, product_id=product.pk)


# A month of recognition between the demo users: (days ago, giver, receivers, points each, value,
# message, reactions by). Each is given once (its key), so seeding again adds nothing.
DEMO_RECOGNITIONS = [
    (
        26,
        "colleague",
        ["employee"],
        15,
        "Customer first",
        "Thanks for staying late to fix the checkout bug for our biggest customer.",
        ["hr"],
    ),
    (
        21,
        "employee",
        ["colleague", "fulfilment"],
        10,
        "Better together",
        "You two turned the office move into a party. Thank you!",
        ["hr", "catalog"],
    ),
    (
        17,
        "hr",
        ["catalog"],
        20,
        "Keep it simple",
        "The new catalog categories make everything easier to find.",
        ["employee"],
    ),
    (12, "fulfilment", ["employee"], 10, "Own it", "Saw the missing parcel through from start to finish. 🙌", []),
    (
        8,
        "catalog",
        ["colleague"],
        10,
        "Customer first",
        "Thanks @employee and @colleague for the product photos: customers love them.",
        ["employee", "fulfilment"],
    ),
    (
        3,
        "colleague",
        ["hr"],
        25,
        "Better together",
        "Hana made onboarding the new team painless.",
        ["employee", "catalog", "fulfilment"],
    ),
    (1, "employee", ["colleague"], 5, "Own it", "Took the on-call weekend without being asked.", ["hr"]),
]


def _recognition_seed(*, users: dict[str, object]) -> None:
    """A month of recognition, reactions and a +points, and a first work anniversary for Carlos."""
    by_name = {email.split("@")[0]: user for email, user in users.items()}
    values = {value.name: value for value in CompanyValue.objects.all()}
    now = timezone.now()
    for i, (days_ago, giver, receivers, points, value, message, reacted_by) in enumerate(DEMO_RECOGNITIONS):
        if value not in values:
            continue  # HR renamed the demo's values
        with _clock_at(now - timedelta(days=days_ago)):
            outcome = recognition_give(
                giver_id=by_name[giver].pk,
                receiver_ids=[by_name[name].pk for name in receivers],
                points_each=points,
                message=message,
                value_id=values[value].pk,
                client_key=f"demo-recognition-{i}",
            )
        for name in reacted_by:
            recognition_react(user_id=by_name[name].pk, recognition_id=outcome.recognition.pk, kind="applause")
        if i == 5:
            recognition_add_points(
                giver_id=by_name["employee"].pk,
                recognition_id=outcome.recognition.pk,
                points_each=5,
                client_key="demo-recognition-added",
            )
    colleague = by_name["colleague"]
    if not MilestoneDates.objects.filter(pk=colleague.pk).exists():
        today = company_today()
        milestone_dates_save(
            user_id=colleague.pk, hired_on=today.replace(year=today.year - 1) - timedelta(days=2), birthday=None
        )
    milestones_award()


def demo_seed(*, cognito: bool = False) -> dict[str, object]:
    """Load the demo data; running it again adds nothing that is already there."""
    products_created = catalog_seed()
    users = _users_seed(cognito=cognito)
    hr = users["hr@awsomeshop.local"]
    history_for = [
        email
        for email in ("employee@awsomeshop.local", "colleague@awsomeshop.local")
        if _history_seed(
            employee=users[email],
            awarded_by=hr,
            approver=users["admin@awsomeshop.local"],
            fulfilment=users["fulfilment@awsomeshop.local"],
        )
    ]
    _programme_seed(
        hr=hr,
        admin=users["admin@awsomeshop.local"],
        employee=users["employee@awsomeshop.local"],
        colleague=users["colleague@awsomeshop.local"],
    )
    _wishlist_seed(employee=users["employee@awsomeshop.local"])
    _recognition_seed(users=users)
    return {"products_created": products_created, "users": DEMO_USERS, "history_for": history_for}
