from django.urls import path

from handoffs import api

urlpatterns = [
    path("handoffs/", api.HandoffListApi.as_view(), name="api-handoffs"),
    path("handoffs/<int:handoff_id>/", api.HandoffDetailApi.as_view(), name="api-handoff"),
    path("handoffs/<int:handoff_id>/accept/", api.HandoffAcceptApi.as_view(), name="api-handoff-accept"),
    path("handoffs/<int:handoff_id>/update/", api.HandoffUpdateApi.as_view(), name="api-handoff-update"),
    path("handoffs/<int:handoff_id>/resolve/", api.HandoffResolveApi.as_view(),
         name="api-handoff-resolve"),
]
