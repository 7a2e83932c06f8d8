import factory
from django.contrib.auth import get_user_model

from shop.models import Product
from shop.services import product_import

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"employee{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class ProductFactory(factory.django.DjangoModelFactory):
    """A catalog product. Stock and price are set here only to arrange a test; the app changes
    them through the services."""

    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    description = factory.Faker("sentence")
    category = factory.Iterator(["Tech", "Wellbeing", "Apparel"])
    points_cost = 100
    stock_quantity = 10
    is_active = True
    # Digital rewards ask for no delivery details, so tests of other things need not give them;
    # the tests of delivery details choose the method they are about.
    delivery_method = "digital"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the one write path for products, like every other product in the app.
        (product,) = product_import(products=[model_class(*args, **kwargs)])
        return product
