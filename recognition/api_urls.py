from django.urls import path

from .apis import (
    CompanyValueListApi,
    MyAllowanceApi,
    RecognitionAddPointsApi,
    RecognitionDetailApi,
    RecognitionListCreateApi,
    RecognitionReactionApi,
)

urlpatterns = [
    path("recognitions", RecognitionListCreateApi.as_view(), name="recognition_list"),
    path("recognitions/<str:recognition_id>", RecognitionDetailApi.as_view(), name="recognition_detail"),
    path("recognitions/<str:recognition_id>/points", RecognitionAddPointsApi.as_view(), name="recognition_add_points"),
    path(
        "recognitions/<str:recognition_id>/reactions/<str:kind>",
        RecognitionReactionApi.as_view(),
        name="recognition_reaction",
    ),
    path("company-values", CompanyValueListApi.as_view(), name="company_value_list"),
    path("me/allowance", MyAllowanceApi.as_view(), name="my_allowance"),
]
