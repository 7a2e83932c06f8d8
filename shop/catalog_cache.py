"""Cached pages of the API's product list, kept per catalog version.

Why a page is never stale: the key holds the catalog version read *before* the page's rows, and
every change to the products bumps that version in its own transaction (shop.services). Rows
read after seeing version V are at least as new as V; once a change commits, every reader sees a
higher version and a different key. So a cached page never shows a stock or a price older than
the version the request saw, and the request sees the latest committed one.

Pages live in the worker's memory (the "catalog" cache): every request checks the version in the
database, so workers need no shared cache to agree, and each warms its own copy.
"""

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation

from accounts.api_auth import ApiTokenAuthentication
from awsomeshop.middleware import request_log_user_set

from .filters import PER_USER_FILTERS
from .selectors import catalog_version_get


def catalog_page_cacheable(*, request: HttpRequest) -> bool:
    return bool(settings.CATALOG_CACHE_SECONDS) and not PER_USER_FILTERS & request.GET.keys()


def catalog_page_key(*, request: HttpRequest) -> str | None:
    """The page's cache key under the current catalog version, or None without a version.

    The whole URL is part of the key, because the page's next/previous links repeat it, and so
    are the Accept header, which chooses the rendering, and the language the client asks for
    (Accept-Language), which the page's labels and messages are in."""
    version = catalog_version_get()
    if version is None:
        return None
    url = request.build_absolute_uri()
    accept = request.headers.get("Accept", "")
    language = translation.get_language_from_request(request)
    return f"catalog-page:{version}:" + hashlib.sha256(f"{url}\n{accept}\n{language}".encode()).hexdigest()


class CatalogPageCacheMiddleware:
    """Answers `GET /api/v1/products` from the catalog cache, early in the middleware stack.

    Only for a caller the API's own authentication class accepts (its `caller_id`: the same
    header and checks as `authenticate`, in one query); anyone else, and every miss, goes down
    the whole stack to the view, whose 200 answer is stored as it left (with the headers the
    later middleware added). The later middleware has nothing to do for such a request: no
    session, cookie or CSRF check is involved in a token-authenticated GET. Skipping it, with
    DRF's dispatch, is what makes a hit cheap (docs/performance.md)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self._path: str | None = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method != "GET"
            or request.path_info != self._product_list_path()
            or not catalog_page_cacheable(request=request)
        ):
            return self.get_response(request)
        user_id = self._api_caller_id(request)
        key = catalog_page_key(request=request) if user_id is not None else None
        if key is None:
            return self.get_response(request)
        cached = caches["catalog"].get(key)
        if cached is not None:
            request_log_user_set(user_id)
            return cached
        response = self.get_response(request)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            caches["catalog"].set(key, response, settings.CATALOG_CACHE_SECONDS)
        return response

    def _product_list_path(self) -> str:
        if self._path is None:
            self._path = reverse("v1:product_list")
        return self._path

    @staticmethod
    def _api_caller_id(request: HttpRequest) -> str | None:
        """Whom the API would accept, or None: then the view gives its own answer (a 401, or a
        503 when the database or Cognito's keys are out of reach), as without the cache."""
        try:
            return ApiTokenAuthentication().caller_id(request)
        except Exception:  # noqa: BLE001 - whatever it is, the view's own handling answers it
            return None
