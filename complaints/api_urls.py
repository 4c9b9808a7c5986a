from django.urls import path

from complaints import api

urlpatterns = [
    path("complaints/", api.ComplaintListCreateApi.as_view(), name="api-complaints"),
    path("complaints/<int:complaint_id>/", api.ComplaintDetailApi.as_view(), name="api-complaint"),
    *[
        path(f"complaints/<int:complaint_id>/{action.slug}/", view.as_view(),
             name=f"api-complaint-{action.slug}")
        for action, view in api.ACTION_APIS.items()
    ],
    path("complaints/<int:complaint_id>/recommendations/<int:recommendation_id>/done/",
         api.RecommendationDoneApi.as_view(), name="api-complaint-recommendation-done"),
]
