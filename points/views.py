from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from awsomeshop.portal import paginate, portal_page

from .expiry import expiry_rule, points_expiring_list
from .selectors import points_lot_list, points_transaction_list

TRANSACTIONS_PER_PAGE = 20


@portal_page
def points_history_page(request: HttpRequest) -> HttpResponse:
    page = paginate(points_transaction_list(user_id=request.user.pk), request, per_page=TRANSACTIONS_PER_PAGE)
    rule = expiry_rule()
    expiry = None
    if rule is not None:
        lots = [(lot, rule.expires_on(lot.credited_at)) for lot in points_lot_list(user_id=request.user.pk)]
        expiring = points_expiring_list(user_id=request.user.pk)
        expiry = {"months": rule.months, "next": expiring[0] if expiring else None, "lots": lots}
    return render(request, "points/points_history.html", {"page": page, "expiry": expiry})
