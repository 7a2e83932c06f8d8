"""The portal's recognition pages: the feed, giving, one recognition, one person. Thin: the rules
and their words are the services'."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from awsomeshop.exceptions import ShopError
from awsomeshop.portal import paginate, portal_page
from awsomeshop.text import number

from .forms import AddPointsForm, GiveForm
from .models import MilestoneDates, Reaction
from .selectors import (
    allowance_policy,
    allowance_state,
    colleague_list,
    company_value_list,
    feed_entries,
    person_summary,
    recognition_feed,
    recognition_get,
    value_id_parse,
)
from .services import birthday_sharing_set, recognition_add_points, recognition_give, recognition_react

FEED_PER_PAGE = 20


def _id_param(request: HttpRequest, name: str) -> str | None:
    value = request.GET.get(name, "")
    return value if value and len(value) <= 255 else None


@portal_page
def feed_page(request: HttpRequest) -> HttpResponse:
    """Newest first, paged, for one value (`?value=`) or one person (`?person=`) if asked."""
    values = list(company_value_list())
    value_id = value_id_parse(request.GET.get("value", ""))
    person_id = _id_param(request, "person")
    person = get_user_model().objects.filter(pk=person_id).first() if person_id else None
    feed = recognition_feed(viewer_id=request.user.pk, value_id=value_id, person_id=person.pk if person else None)
    page = paginate(feed, request, per_page=FEED_PER_PAGE)
    return render(
        request,
        "recognition/feed.html",
        {
            "page": page,
            "entries": feed_entries(page.object_list, viewer_id=request.user.pk),
            "values": values,
            "value_id": value_id,
            "person": person,
            "allowance": allowance_state(user_id=request.user.pk),
            "reaction_kinds": Reaction.Kind.choices,
        },
    )


@portal_page
@require_http_methods(["GET", "POST"])
def give_page(request: HttpRequest) -> HttpResponse:
    form_args = {
        "colleagues": colleague_list(exclude_id=request.user.pk),
        "values": company_value_list(),
        "most_points": allowance_policy().most_per_receiver,
    }
    form = GiveForm(request.POST or None, initial=_preset(request), **form_args)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = recognition_give(
                giver_id=request.user.pk,
                receiver_ids=data["receivers"],
                points_each=data["points"],
                message=data["message"],
                value_id=data["value"],
                is_public=data["is_public"],
                client_key=data["key"],
            )
        except ShopError as refusal:
            form.add_error(_field_of(refusal), refusal.message)
        else:
            if not outcome.replayed:
                left = outcome.allowance_left
                messages.success(
                    request,
                    _("Thank you for recognising them. You have %(left)s points left to give this month.")
                    % {"left": number(left)},
                )
            return redirect("recognition:detail", recognition_id=outcome.recognition.pk)
    return render(
        request, "recognition/give.html", {"form": form, "allowance": allowance_state(user_id=request.user.pk)}
    )


def _preset(request: HttpRequest) -> dict:
    """`?to=<user id>` from a person's page: that colleague chosen already."""
    to = _id_param(request, "to")
    return {"receivers": [to]} if to else {}


def _field_of(refusal: ShopError) -> str | None:
    field = refusal.details.get("field")
    return {"receivers": "receivers", "points": "points", "message": "message", "value": "value"}.get(
        field, "receivers" if refusal.code in {"self_recognition", "unknown_colleague"} else None
    )


@portal_page
def detail_page(request: HttpRequest, recognition_id: str) -> HttpResponse:
    recognition = recognition_get(viewer_id=request.user.pk, recognition_id=recognition_id)
    if recognition is None:
        raise Http404(_("There is no recognition with this id."))
    [entry] = feed_entries([recognition], viewer_id=request.user.pk)
    can_add = request.user.pk not in {user.pk for user in entry.receivers}
    return render(
        request,
        "recognition/detail.html",
        {
            "entry": entry,
            "form": AddPointsForm() if can_add else None,
            "allowance": allowance_state(user_id=request.user.pk),
            "reaction_kinds": Reaction.Kind.choices,
        },
    )


@portal_page
@require_http_methods(["POST"])
def add_points(request: HttpRequest, recognition_id: str) -> HttpResponse:
    form = AddPointsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the points to add as a whole number of at least 1."))
        return redirect("recognition:detail", recognition_id=recognition_id)
    try:
        outcome = recognition_add_points(
            giver_id=request.user.pk,
            recognition_id=recognition_id,
            points_each=form.cleaned_data["points"],
            client_key=form.cleaned_data["key"],
        )
    except ShopError as refusal:
        if refusal.code == "unknown_recognition":
            raise Http404(refusal.message) from refusal
        messages.error(request, refusal.message)
    else:
        if not outcome.replayed:
            messages.success(
                request,
                _("Points added. You have %(left)s points left to give this month.")
                % {"left": number(outcome.allowance_left)},
            )
    return redirect("recognition:detail", recognition_id=recognition_id)


@portal_page
@require_http_methods(["POST"])
def react(request: HttpRequest, recognition_id: str) -> HttpResponse:
    """`kind` and `on` (1 adds, 0 takes back): the button says which, so a double click asks the same."""
    try:
        recognition_react(
            user_id=request.user.pk,
            recognition_id=recognition_id,
            kind=request.POST.get("kind", ""),
            on=request.POST.get("on") != "0",
        )
    except ShopError as refusal:
        if refusal.code == "unknown_recognition":
            raise Http404(refusal.message) from refusal
        messages.error(request, refusal.message)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("recognition:detail", recognition_id=recognition_id)


@portal_page
def person_page(request: HttpRequest, user_id: str) -> HttpResponse:
    person = get_user_model().objects.filter(pk=user_id[:255], is_active=True).first()
    if person is None:
        raise Http404(_("There is no colleague with this id."))
    feed = recognition_feed(viewer_id=request.user.pk, person_id=person.pk)
    page = paginate(feed, request, per_page=FEED_PER_PAGE)
    return render(
        request,
        "recognition/person.html",
        {
            "person": person,
            "summary": person_summary(user_id=person.pk, viewer_id=request.user.pk),
            "page": page,
            "entries": feed_entries(page.object_list, viewer_id=request.user.pk),
            "reaction_kinds": Reaction.Kind.choices,
            "is_me": person.pk == request.user.pk,
            "dates": MilestoneDates.objects.filter(pk=person.pk).first() if person.pk == request.user.pk else None,
        },
    )


@portal_page
@require_http_methods(["POST"])
def birthday_sharing(request: HttpRequest) -> HttpResponse:
    """My own choice: celebrate my birthday in the feed (`share=1`) or not (`share=0`)."""
    shared = request.POST.get("share") == "1"
    birthday_sharing_set(user_id=request.user.pk, shared=shared)
    messages.success(
        request,
        _("Your birthday will be celebrated in the feed, if HR has it on record.")
        if shared
        else _("Your birthday will not be celebrated."),
    )
    return redirect("recognition:person", user_id=request.user.pk)
