import pytest

from core.models import MessageTemplate
from notify.standin import NotifyStandIn

CALLBACK_TOKEN = "receipt-token-for-tests"


@pytest.fixture
def standin(settings, db):
    """The local Notify stand-in, the product pointed at it, and every template of ours known to
    it under its Notify id (as a council sets them up in Notify and pastes the ids in the admin)."""
    with NotifyStandIn() as server:
        settings.NOTIFY_API_KEY = server.api_key
        settings.NOTIFY_BASE_URL = server.base_url
        settings.NOTIFY_CALLBACK_TOKEN = CALLBACK_TOKEN
        for template in MessageTemplate.objects.all():
            template.notify_template_id = server.add_template(
                template.channel, template.body, template.subject)
            template.save(update_fields=["notify_template_id"])
        yield server
