from .services import audit_request


class AuditContextMiddleware:
    """Lets `audit_record` tell who made a change and through what, without every service having
    to be handed the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_request(request):
            return self.get_response(request)
