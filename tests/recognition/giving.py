"""Helpers the recognition tests share."""

from points.models import UserPoints
from recognition.models import CompanyValue
from recognition.services import recognition_give


def give(giver, receivers, value=None, points=10, **kwargs):
    """`recognition_give` as a test writes it: users, not ids; a value, by default "Customer first"."""
    value = value or CompanyValue.objects.get_or_create(name="Customer first")[0]
    return recognition_give(
        giver_id=giver.pk,
        receiver_ids=[receiver.pk for receiver in receivers],
        points_each=points,
        message=kwargs.pop("message", "Thanks for the demo!"),
        value_id=value.pk,
        **kwargs,
    )


def balance(user) -> int:
    row = UserPoints.objects.filter(pk=user.pk).first()
    return row.current_points if row else 0
