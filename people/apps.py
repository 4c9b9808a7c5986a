from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """People change (issue 18): a leaver's or an absent officer's open work passed on in one
    step, and the work of deactivated accounts shown to managers as needing a new owner. Above
    complaints and hand-offs, whose services it calls in one transaction."""

    name = "people"
    verbose_name = "People change"

    def nav_items(self, user):
        from django.urls import reverse

        from core.navigation import NavItem
        from people.selectors import may_manage_people

        if not may_manage_people(user):
            return []
        return [NavItem(label="Staff work", url=reverse("people:staff"), order=70)]

    def attention_items(self, user):
        from django.urls import reverse

        from core.navigation import AttentionItem
        from people.selectors import may_manage_people, officers_needing_new_owner_count

        if not may_manage_people(user):
            return []
        return [AttentionItem("Leavers' work needing a new owner", officers_needing_new_owner_count(),
                              reverse("people:staff"), hint="Deactivated accounts with open work",
                              urgent=True)]
