from django.db import models
from django.db.models import Q

from core.models import OutboundMessage


class MessageUnitCost(models.Model):
    """What one message costs on a channel (issue 19, "the messages sent and their cost"): set to
    the council's GOV.UK Notify prices, which change each April (text messages beyond the free
    allowance, letters by postage class)."""

    channel = models.CharField(max_length=20, choices=OutboundMessage.Channel.choices, unique=True)
    unit_cost = models.DecimalField(max_digits=8, decimal_places=4,
                                    help_text="Cost of one message in pounds.")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(unit_cost__gte=0),
                                              name="message_unit_cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: £{self.unit_cost}"
