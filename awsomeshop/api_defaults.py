"""The API's default pagination and throttle classes (REST_FRAMEWORK settings). Kept apart from
`awsomeshop.api`, which imports DRF's views: DRF resolves these settings while defining its view
classes, so importing them must not need DRF's views."""

import json
from collections import Counter

from django.utils.translation import gettext
from rest_framework.exceptions import APIException, ParseError
from rest_framework.metadata import SimpleMetadata
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle

from awsomeshop.text import number

# No request body of this API nests deeper than 2; 32 leaves room and stops a recursion bomb.
JSON_MAX_DEPTH = 32


def _json_depth_over(data, limit: int) -> bool:
    """Whether the parsed JSON nests deeper than `limit`; iterative, so it cannot recurse itself."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)
    return False


def _not_json(cause: BaseException | None) -> str:
    """What is wrong with a body that is not JSON, in the reader's language (DRF passes Python's
    English on), with where when the decoder says."""
    if isinstance(cause, json.JSONDecodeError):
        return gettext("The request body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": number(cause.lineno),
            "column": number(cause.colno),
        }
    if isinstance(cause, UnicodeDecodeError):
        return gettext("The request body is not valid JSON: it is not UTF-8 text.")
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return gettext("The request body is not valid JSON: a number in it has too many digits.")
    if isinstance(cause, ValueError):  # DRF's refusal of NaN and Infinity
        return gettext("The request body is not valid JSON: NaN and Infinity are no JSON numbers.")
    return gettext("The request body is not valid JSON.")


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with nesting bounded: Python's decoder raises RecursionError (a 500) on
    a body of a thousand `[`, and serializers recurse over what it returns."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as error:
            raise ParseError(_not_json(error.__context__)) from error
        except RecursionError as error:
            raise ParseError(gettext("JSON parse error - nested too deeply.")) from error
        if _json_depth_over(data, JSON_MAX_DEPTH):
            raise ParseError(
                gettext("JSON parse error - nested deeper than %(levels)s levels.") % {"levels": number(JSON_MAX_DEPTH)}
            )
        return data


class PageNumberPaginationWithSize(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CountingRateThrottle(SimpleRateThrottle):
    """DRF's throttle, counting in fixed windows with the cache's `add` and `incr` instead of
    reading a list of times and writing it back: concurrent requests in several workers each
    count, so a burst gets exactly the rate through (DRF's read-and-write-back let two or three
    times as many through). The counters live in the default cache, shared in production."""

    duration: int
    num_requests: int

    def allow_request(self, request, view) -> bool:
        if self.rate is None or (key := self.get_cache_key(request, view)) is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        return self._count(counter) <= self.num_requests

    def _count(self, counter: str) -> int:
        """This request's number in the window: an increment, or the window's first request.
        Increment first: the window's counter exists for all but its first request."""
        for _ in range(2):
            try:
                return self.cache.incr(counter)
            except ValueError:  # no counter yet: start it, unless a concurrent request just did
                if self.cache.add(counter, 1, self.duration + 1):
                    return 1
        return self.cache.incr(counter)

    def wait(self) -> float:
        return max(0.0, self.window_ends - self.now)

    def get_ident(self, request) -> str:
        from awsomeshop.client_address import client_ip

        return client_ip(request)


class WriteRateThrottle(CountingRateThrottle, UserRateThrottle):
    """Limits a user's writes (POST) under the view's `throttle_scope`; reads are not counted.
    Anonymous callers are counted by client address."""

    def __init__(self) -> None:
        # The rate depends on the view's scope, known only in allow_request.
        pass

    def allow_request(self, request, view) -> bool:
        scope = getattr(view, "throttle_scope", None)
        if request.method != "POST" or scope is None:
            return True
        self.scope = scope
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:  # a scope without a rate is not throttled
            return True
        self.num_requests, self.duration = num_requests, duration
        return super().allow_request(request, view)


class InputMetadata(SimpleMetadata):
    """OPTIONS describes what a client may send: the view's `input_serializer_class`, never its
    output serializer (DRF's default, which advertised `points_used` and `status` as inputs).
    Views without one describe no inputs; the OpenAPI schema at /api/schema/ has them all."""

    def determine_metadata(self, request, view) -> dict:
        metadata = super().determine_metadata(request, view)
        if "actions" not in metadata and (actions := self.determine_actions(request, view)):
            metadata["actions"] = actions  # plain APIViews too, not only generic ones
        return metadata

    def determine_actions(self, request, view) -> dict:
        input_class = getattr(view, "input_serializer_class", None)
        if input_class is None or "POST" not in view.allowed_methods:
            return {}
        try:
            view.check_permissions(request)
        except APIException:
            return {}
        return {"POST": self.get_serializer_info(input_class())}


def schema_component_names_tidied(result, generator, request, public):
    """drf-spectacular's postprocessing hook: the schema's component names as a mobile developer
    would write them. The serializers' names say what they are in Python (`OrderOutputSerializer`,
    `RedeemInputSerializer`); a generated client wants `Order`, `PaginatedOrderList`, `RedeemInput`.
    Two names that would become one are a bug here, not a silent merge."""
    schemas = result.get("components", {}).get("schemas", {})
    renamed = {name: _tidy_component_name(name) for name in schemas}
    clashes = {new for new, count in Counter(renamed.values()).items() if count > 1}
    if clashes:
        raise ValueError(f"Schema components would share a name: {sorted(clashes)}")
    result["components"]["schemas"] = {renamed[name]: schema for name, schema in schemas.items()}
    prefix = "#/components/schemas/"

    def walk(node):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                node["$ref"] = prefix + renamed.get(ref[len(prefix) :], ref[len(prefix) :])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def _tidy_component_name(name: str) -> str:
    if name.endswith("InputRequest"):
        return name.removesuffix("Request")
    if name.endswith("OutputList"):
        return name.removesuffix("OutputList") + "List"
    return name.removesuffix("Output")
