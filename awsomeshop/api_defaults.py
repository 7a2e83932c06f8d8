"""The API's default pagination and throttle classes (REST_FRAMEWORK settings). Kept apart from
`awsomeshop.api`, which imports DRF's views: DRF resolves these settings while defining its view
classes, so importing them must not need DRF's views."""

from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import UserRateThrottle


class PageNumberPaginationWithSize(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class WriteRateThrottle(UserRateThrottle):
    """Limits a user's writes (POST) under the view's `throttle_scope`; reads are not counted."""

    def __init__(self) -> None:
        # The rate depends on the view's scope, known only in allow_request.
        pass

    def allow_request(self, request, view) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if request.method != "POST" or scope is None:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
