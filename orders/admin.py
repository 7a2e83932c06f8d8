from django.contrib import admin

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

    @admin.display(description="order", ordering="id")
    def short_number(self, order: Order) -> str:
        return order.short_number

    @admin.display(description="employee", ordering="user__email")
    def user_email(self, order: Order) -> str:
        return order.user.email

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
