from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from awsomeshop.portal import paginate, portal_page

from .selectors import points_transaction_list

TRANSACTIONS_PER_PAGE = 20


@portal_page
def points_history_page(request: HttpRequest) -> HttpResponse:
    page = paginate(points_transaction_list(user_id=request.user.pk), request, per_page=TRANSACTIONS_PER_PAGE)
    return render(request, "points/points_history.html", {"page": page})
