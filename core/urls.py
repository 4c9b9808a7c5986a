from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/sso/", views.sso_start, name="sso-start"),
    path("login/sso/callback/", views.sso_callback, name="sso-callback"),
    path("logout/", views.logout_view, name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-keys/", views.profile_api_key_create, name="profile-api-key-create"),
    path("profile/api-keys/<int:token_id>/revoke/", views.profile_api_key_revoke,
         name="profile-api-key-revoke"),
    path("audit/<str:object_type>/<str:object_id>/", views.audit_trail, name="audit-trail"),
]
