"""Who is calling: the client address behind the load balancer, for throttles and django-axes."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """Who is calling, for throttles and django-axes alike. Behind the ALB the socket address is
    the ALB's; the client is the address the ALB appended last to X-Forwarded-For (earlier entries
    come from the client and can be forged). `NUM_PROXIES` says how many proxies append."""
    hops = settings.NUM_PROXIES
    if hops:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if forwarded and _is_ip_address(candidate := forwarded[-min(hops, len(forwarded))]):
            return candidate
    return request.META.get("REMOTE_ADDR", "")


def _is_ip_address(text: str) -> bool:
    """Only an address reaches the throttles and axes (whose column holds an address, not 40
    characters of anything): behind the ALB the entry is always one, so anything else is forged."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
