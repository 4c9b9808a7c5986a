from rest_framework.permissions import BasePermission

from core.roles import has_role


class HasRole(BasePermission):
    """Allow callers with any of the view's `allowed_roles` (a dict per HTTP method, or a set)."""

    def has_permission(self, request, view):
        allowed = getattr(view, "allowed_roles", None)
        if isinstance(allowed, dict):
            allowed = allowed.get(request.method, allowed.get("*", ()))
        return bool(allowed) and has_role(request.user, *allowed)


def role_permission(*roles):
    """A permission class admitting the given roles, for `permission_classes`."""

    class _RolePermission(BasePermission):
        def has_permission(self, request, view):
            return has_role(request.user, *roles)

    _RolePermission.__name__ = f"RolePermission_{'_'.join(roles)}"
    return _RolePermission
