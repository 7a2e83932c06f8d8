"""Plumbing shared by the portal's views."""

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control


def portal_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for a signed-in employee. Every page shows the user's balance, so none may be
    cached by a shared cache or shown from the browser's cache after it changed."""

    @functools.wraps(view)
    @login_required
    @cache_control(private=True, no_cache=True, must_revalidate=True)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return view(request, *args, **kwargs)

    return wrapper


def paginate(queryset: QuerySet, request: HttpRequest, *, per_page: int, paginator_class=Paginator) -> Page:
    """The requested page; a missing, malformed or too-large page number shows a real page."""
    return paginator_class(queryset, per_page).get_page(request.GET.get("page"))
