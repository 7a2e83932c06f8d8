from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from awsomeshop.admin_tools import ServicesOwnTheirTransactionsMixin, ShopErrorAsMessageMixin
from awsomeshop.forms import WholeNumberField
from awsomeshop.text import number

from .models import STOCK_MAX, Category, Product, ProductOption
from .selectors import category_list_with_counts, products_with_wish_counts
from .services import (
    ProductEdit,
    category_create,
    category_merge,
    category_rename,
    product_active_set,
    product_create,
    product_delete,
    product_list_edit,
    product_option_create,
    product_option_update,
    product_stock_set,
    product_update,
)

LOW_STOCK = 5


class StockFilter(admin.SimpleListFilter):
    title = gettext_lazy("stock")
    parameter_name = "stock"

    def lookups(self, request, model_admin):
        return [
            ("in", _("In stock")),
            ("low", _("Low (1–%(most)s)") % {"most": number(LOW_STOCK)}),
            ("out", _("Out of stock")),
        ]

    def queryset(self, request, queryset):
        return {
            "in": queryset.filter(stock_quantity__gt=0),
            "low": queryset.filter(stock_quantity__gt=0, stock_quantity__lte=LOW_STOCK),
            "out": queryset.filter(stock_quantity__lte=0),
        }.get(self.value(), queryset)


class StockForm(forms.Form):
    quantity = WholeNumberField(
        min_value=0, max_value=STOCK_MAX, label=gettext_lazy("New stock for each selected product")
    )


def _stock_seen(form) -> int | None:
    """The stock level the editor's page showed (sent back as a hidden initial value)."""
    if "stock_quantity" not in form.fields:
        return None
    field = form.fields["stock_quantity"]
    raw = field.hidden_widget().value_from_datadict(form.data, form.files, form.add_initial_prefix("stock_quantity"))
    try:
        return field.to_python(raw)
    except forms.ValidationError:
        return None


def _category_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((name, name) for name in Category.objects.values_list("name", flat=True))]


@admin.register(Product)
class ProductAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """The catalog. Every save goes through shop.services, outside the admin's own transaction:
    stock edits are refused if redemptions changed the stock since the page was opened, and
    images are re-encoded and stored before the product is locked."""

    list_display = ["thumbnail", "name", "category", "points_cost", "stock_quantity", "wished_by", "is_active"]
    list_display_links = ["thumbnail", "name"]
    list_editable = ["stock_quantity", "is_active"]
    list_filter = ["is_active", StockFilter, "category", "delivery_method"]
    search_fields = ["name", "description", "category", "id"]
    list_per_page = 50
    actions = ["activate", "deactivate", "set_stock"]
    readonly_fields = ["id", "image_preview", "options_summary", "created_at", "updated_at"]
    fields = [
        "name",
        "category",
        "description",
        "points_cost",
        "stock_quantity",
        "is_active",
        "delivery_method",
        "note_prompt",
        "option_label",
        "options_summary",
        "image",
        "image_preview",
        "id",
        "created_at",
        "updated_at",
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        current = obj.category if obj is not None else ""

        class ProductForm(form_class):  # type: ignore[valid-type, misc]
            """A stored category that is not (exactly) on the list stays selectable, so saving
            other fields never clears it; choosing another one must be from the list."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                field = self.fields.get("category")
                if field is not None and current and current not in dict(field.choices):
                    field.choices = [
                        *field.choices,
                        (current, _("%(category)s (not on the list)") % {"category": current}),
                    ]

        return ProductForm

    def get_queryset(self, request: HttpRequest):
        return products_with_wish_counts(super().get_queryset(request))

    @admin.display(description=gettext_lazy("Wished by"), ordering="wish_count")
    def wished_by(self, product: Product) -> str:
        """How many people have it on their wishlist: what to restock first."""
        return number(product.wish_count)

    def get_fields(self, request: HttpRequest, obj: Product | None = None):
        # A product not saved yet has no id, dates or options to show (the id field's default is
        # not its id, and an option is added to a saved product).
        if obj is None:
            return [name for name in self.fields if name not in ("id", "created_at", "updated_at", "options_summary")]
        return self.fields

    def get_readonly_fields(self, request: HttpRequest, obj: Product | None = None):
        # A product with options has their stock, summed: it is set on each option.
        if obj is not None and obj.options.exists():
            return [*self.readonly_fields, "stock_quantity"]
        return self.readonly_fields

    @admin.display(description=gettext_lazy("Options"))
    def options_summary(self, product: Product) -> str:
        add = reverse("admin:shop_productoption_add") + f"?product={product.pk}"
        options = list(product.options.all()) if product.pk else []
        if not options:
            return format_html(
                _('None. <a href="{url}">Add an option</a> (a size, a colour) with its own stock.'), url=add
            )
        listed = ", ".join(f"{option.name}: {number(option.stock_quantity)}" for option in options)
        changelist = reverse("admin:shop_productoption_changelist") + f"?product__id__exact={product.pk}"
        return format_html(
            '{} · <a href="{}">{}</a> · <a href="{}">{}</a>', listed, changelist, _("Change"), add, _("Add")
        )

    @admin.display(description="")
    def thumbnail(self, product: Product) -> str:
        if not product.image:
            return "—"
        # The picture links to the product, so it is named for it (an empty alt left the link nameless).
        return format_html(
            '<img src="{}" alt="{}" width="64" height="48" style="object-fit:cover;border-radius:4px">',
            product.image.url,
            product.name,
        )

    @admin.display(description=gettext_lazy("Current image"))
    def image_preview(self, product: Product) -> str:
        if not product.image:
            return _("No image yet.")
        return format_html(
            '<img src="{}" alt="{}" style="max-width:320px;border-radius:6px">', product.image.url, product.name
        )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "category":
            # Chosen from the managed list (Categories), never typed: no second “home & office”.
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=_category_choices,
                required=False,
                help_text=_("Catalog managers add categories in Categories."),
            )
        if isinstance(db_field, models.IntegerField):
            kwargs["form_class"] = WholeNumberField  # price and stock: digits 0–9 only
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "stock_quantity":
            # The form carries the stock the editor saw, so a save can tell it from today's.
            formfield.show_hidden_initial = True
        return formfield

    def save_model(self, request: HttpRequest, obj: Product, form, change: bool) -> None:
        data = dict(form.cleaned_data)
        if data.get("image") is False:  # the "clear" box of the image field
            data["image"] = ""
        if change:
            changes = {name: data[name] for name in form.changed_data}
            saved = product_update(product_id=obj.pk, changes=changes, stock_seen=_stock_seen(form))
        else:
            saved = product_create(
                name=data["name"],
                points_cost=data["points_cost"],
                stock_quantity=data["stock_quantity"],
                description=data["description"] or "",
                category=data["category"] or "",
                is_active=data["is_active"],
                image=data["image"] or None,
                delivery_method=data["delivery_method"],
                option_label=data["option_label"] or "",
                note_prompt=data["note_prompt"] or "",
            )
        # The admin goes on with `obj` (its messages, its log entry, the redirect): make it the saved row.
        obj.__dict__.update(saved.__dict__)

    def save_list_edits(self, request: HttpRequest, forms: list) -> None:
        product_list_edit(
            edits=[
                ProductEdit(
                    product_id=form.instance.pk,
                    changes={name: form.cleaned_data[name] for name in form.changed_data},
                    stock_seen=_stock_seen(form),
                )
                for form in forms
            ]
        )

    def has_delete_permission(self, request: HttpRequest, obj: Product | None = None) -> bool:
        # Orders keep their product: a product that was ever redeemed is deactivated, not deleted.
        if obj is not None and obj.orders.exists():
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        product_delete(product_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        product_delete(product_ids=list(queryset.values_list("pk", flat=True)))

    @admin.action(description=gettext_lazy("Activate selected products"), permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        changed = product_active_set(product_ids=list(queryset.values_list("pk", flat=True)), is_active=True)
        self.message_user(
            request,
            ngettext(
                "%(count)s product activated: they are back in the catalog.",
                "%(count)s products activated: they are back in the catalog.",
                changed,
            )
            % {"count": number(changed)},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Deactivate selected products"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        changed = product_active_set(product_ids=list(queryset.values_list("pk", flat=True)), is_active=False)
        self.message_user(
            request,
            ngettext(
                "%(count)s product deactivated: hidden from the portal and the API.",
                "%(count)s products deactivated: hidden from the portal and the API.",
                changed,
            )
            % {"count": number(changed)},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Set stock of selected products…"), permissions=["change"])
    def set_stock(self, request: HttpRequest, queryset: QuerySet[Product]) -> HttpResponse | None:
        form = StockForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            changed = product_stock_set(
                product_ids=list(queryset.values_list("pk", flat=True)), quantity=form.cleaned_data["quantity"]
            )
            self.message_user(
                request,
                ngettext(
                    "Stock set to %(quantity)s for %(count)s product.",
                    "Stock set to %(quantity)s for %(count)s products.",
                    changed,
                )
                % {"quantity": number(form.cleaned_data["quantity"]), "count": number(changed)},
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set stock"),
            "opts": self.opts,
            "form": form,
            "products": queryset,
            "action": "set_stock",
        }
        return TemplateResponse(request, "admin/shop/product/set_stock.html", context)


class ProductOptionForm(forms.ModelForm):
    class Meta:
        model = ProductOption
        fields = ["product", "name", "stock_quantity", "position"]


@admin.register(ProductOption)
class ProductOptionAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """A product's options (sizes, colours), each with its own stock; the product's stock is their
    sum. Saves go through shop.services, with the stock the editor saw, as for products."""

    form = ProductOptionForm
    list_display = ["product", "name", "stock_quantity", "position"]
    list_filter = ["product"]
    search_fields = ["name", "product__name"]
    list_select_related = ["product"]
    ordering = ["product__name", "position", "name"]

    def get_readonly_fields(self, request: HttpRequest, obj: ProductOption | None = None):
        return ["product"] if obj is not None else []

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.IntegerField):
            kwargs["form_class"] = WholeNumberField
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "stock_quantity":
            formfield.show_hidden_initial = True
        return formfield

    def has_delete_permission(self, request: HttpRequest, obj: ProductOption | None = None) -> bool:
        # Orders keep their option; an option no longer offered is set to 0 in stock.
        return False

    def save_model(self, request: HttpRequest, obj: ProductOption, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            changes = {name: data[name] for name in form.changed_data if name != "product"}
            saved = product_option_update(option_id=obj.pk, changes=changes, stock_seen=_stock_seen(form))
        else:
            saved = product_option_create(
                product_id=data["product"].pk,
                name=data["name"],
                stock_quantity=data["stock_quantity"],
                # Untouched, the new option goes last.
                position=data["position"] if "position" in form.changed_data else None,
            )
        obj.__dict__.update(saved.__dict__)


class CategoryMergeForm(forms.Form):
    """Which of the selected categories keeps the products: one of them, chosen, never preset (a
    category that was not selected, one click from taking everything, was)."""

    into = forms.ModelChoiceField(
        queryset=Category.objects.none(),
        label=gettext_lazy("Merge into"),
        empty_label=gettext_lazy("Choose the category to keep"),
    )

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = categories


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name"]


@admin.register(Category)
class CategoryAdmin(ShopErrorAsMessageMixin, ServicesOwnTheirTransactionsMixin, admin.ModelAdmin):
    """The managed list of categories. Catalog managers add; a superuser renames (the products
    follow) and merges. Never deleted here: merging moves the products first."""

    form = CategoryForm
    list_display = ["name", "products"]
    search_fields = ["name"]
    actions = ["merge"]

    def get_queryset(self, request: HttpRequest):
        return category_list_with_counts()  # every row's count in the list's one query

    @admin.display(description=gettext_lazy("products"), ordering="product_count")
    def products(self, category: Category) -> str:
        return number(category.product_count)

    def has_change_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return request.user.has_perm("shop.merge_category")

    def has_delete_permission(self, request: HttpRequest, obj: Category | None = None) -> bool:
        return False

    def has_merge_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("shop.merge_category")

    def save_model(self, request: HttpRequest, obj: Category, form, change: bool) -> None:
        name = form.cleaned_data["name"]
        saved = category_rename(category_id=obj.pk, name=name) if change else category_create(name=name)
        obj.__dict__.update(saved.__dict__)

    @admin.action(description=gettext_lazy("Merge selected categories into one…"), permissions=["merge"])
    def merge(self, request: HttpRequest, queryset) -> HttpResponse | None:
        form = CategoryMergeForm(request.POST if "apply" in request.POST else None, categories=queryset)
        if form.is_valid():
            moved = category_merge(
                category_ids=list(queryset.values_list("pk", flat=True)), into_id=form.cleaned_data["into"].pk
            )
            self.message_user(
                request,
                ngettext(
                    "Merged into “%(category)s”: %(count)s product moved.",
                    "Merged into “%(category)s”: %(count)s products moved.",
                    moved,
                )
                % {"category": form.cleaned_data["into"].name, "count": number(moved)},
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Merge categories"),
            "opts": self.opts,
            "form": form,
            "categories": list(queryset),
        }
        return TemplateResponse(request, "admin/shop/category/merge.html", context)
