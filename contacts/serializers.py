"""API shapes for customers (API.md, "Customers"); the contacts' are the intake's
(`intake.serializers`). Input serializers only check shapes; the rules are the services'."""

from rest_framework import serializers

from contacts.models import Customer
from core import api_fields

# --- Customers ---------------------------------------------------------------------------------

CUSTOMER_API_FIELDS = ["first_name", "last_name", "email", "phone", "address_line_1", "town",
                       "postcode", "uprn"]


class CustomerCreateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="",
                                  help_text="Any formatting; stored as digits.")
    address_line_1 = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                           default="")
    town = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True, default="",
                                     help_text='Any case and spacing; stored as "OL6 6AB".')
    uprn = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", *CUSTOMER_API_FIELDS]


class CustomerSearchSerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=200,
        help_text="Name, postcode, phone number, email address or UPRN.")


class TimelineEntrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["contact", "handoff", "complaint"])
    id = serializers.IntegerField()
    at = api_fields.DateTimeField()
    title = serializers.CharField()
    status = serializers.CharField()
    open = serializers.BooleanField(source="is_open")
