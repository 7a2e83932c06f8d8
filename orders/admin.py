from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from awsomeshop.admin_tools import CsvExportMixin, ReadOnlyAdminMixin

from .models import Order


@admin.register(Order)
class OrderAdmin(CsvExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Orders are history: read-only here; filter, search and export them."""

    list_display = ["short_number", "created_at", "user_email", "product", "points_used", "status"]
    list_filter = ["status", "created_at", "product__category"]
    search_fields = ["id", "user__email", "user__first_name", "user__last_name", "product__name"]
    list_select_related = ["user", "product"]
    list_per_page = 100
    export_filename = "orders.csv"
    export_header = ["order_id", "created_at", "user_id", "email", "product_id", "product", "points_used", "status"]
    # The detail page links only where HR may go: the portal's order page is the employee's own
    # (a 404 for anyone else), and the product and user admins are other roles'.
    view_on_site = False
    fields = ["id", "short_number", "created_at", "employee", "product_name", "points_used", "status"]
    readonly_fields = fields

    @admin.display(description="order", ordering="id")
    def short_number(self, order: Order) -> str:
        return order.short_number

    @admin.display(description="employee", ordering="user__email")
    def user_email(self, order: Order) -> str:
        return order.user.email

    @admin.display(description="employee")
    def employee(self, order: Order) -> str:
        ledger = reverse("admin:points_pointstransaction_changelist") + f"?user={order.user_id}"
        return format_html('{} · <a href="{}">Ledger</a>', order.user.email, ledger)

    @admin.display(description="product")
    def product_name(self, order: Order) -> str:
        return order.product.name

    def export_row(self, order: Order) -> list[object]:
        return [
            order.pk,
            order.created_at.isoformat(),
            order.user_id,
            order.user.email,
            order.product_id,
            order.product.name,
            order.points_used,
            order.status,
        ]
