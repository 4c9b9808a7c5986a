from django.urls import path

from handoffs import views

app_name = "handoffs"

urlpatterns = [
    path("", views.team_queue, name="queue"),
    path("assign/", views.bulk_assign, name="bulk-assign"),
    path("advocate/", views.advocate_list, name="advocate"),
    path("<int:handoff_id>/", views.handoff_detail, name="detail"),
    path("<int:handoff_id>/photos/<int:photo_id>/", views.handoff_photo, name="photo"),
    path("<int:handoff_id>/accept/", views.handoff_accept, name="accept"),
    path("<int:handoff_id>/update/", views.handoff_update, name="update"),
    path("<int:handoff_id>/reassign/", views.handoff_reassign, name="reassign"),
    path("<int:handoff_id>/resolve/", views.handoff_resolve, name="resolve"),
]
