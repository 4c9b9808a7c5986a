from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("audit/<str:object_type>/<str:object_id>/", views.audit_trail, name="audit-trail"),
]
