from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from awsomeshop.portal import paginate, portal_page

from .forms import PreferencesForm
from .selectors import notification_list_for_user, notification_preferences_get
from .services import notification_mark_read, notification_preferences_set, notifications_mark_all_read

PER_PAGE = 20


@portal_page
def notification_list_page(request: HttpRequest) -> HttpResponse:
    page = paginate(notification_list_for_user(user_id=request.user.pk), request, per_page=PER_PAGE)
    return render(request, "notifications/notification_list.html", {"page": page})


@portal_page
@require_http_methods(["POST"])
def notification_open(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Mark it read and go to the page it is about; someone else's is simply the list again."""
    if not notification_mark_read(user_id=request.user.pk, notification_id=notification_id):
        return redirect("notifications:list")
    link = notification_list_for_user(user_id=request.user.pk).filter(pk=notification_id).values_list("link", flat=True)
    return redirect(link.first() or "notifications:list")


@portal_page
@require_http_methods(["POST"])
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user_id=request.user.pk)
    messages.success(request, _("All caught up.") if count else _("Nothing new to mark."))
    return redirect("notifications:list")


@portal_page
@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest) -> HttpResponse:
    current = notification_preferences_get(user_id=request.user.pk)
    initial = {
        "awards_email": current.awards_email,
        "orders_email": current.orders_email,
        "wishlist_email": current.wishlist_email,
    }
    form = PreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notification_preferences_set(user_id=request.user.pk, **form.cleaned_data)
        messages.success(request, _("Saved: you get the e-mails you chose."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "email_language": settings.LANGUAGE_CODE})
