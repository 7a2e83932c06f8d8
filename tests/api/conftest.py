import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def client_for(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return client_for


@pytest.fixture
def employee_api(api_as, employee):
    return api_as(employee)


@pytest.fixture
def hr_api(api_as, hr_user):
    from django.contrib.auth.models import Permission

    hr_user.user_permissions.add(Permission.objects.get(codename="award_points"))
    return api_as(hr_user)
