"""Demo Open311 catalogue for `manage.py seed_demo` (called from Open311Config.seed_demo): the
street problems a street-reporting app sends, with the questions it should ask. Idempotent."""

from django.db import transaction

from core.models import EnquiryType
from open311.models import Open311Attribute, Open311Service

YES_NO = [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}]

# (service code, enquiry type "service/type", group, keywords, description, notice, attributes)
CATALOGUE = [
    ("pothole", "highways/pothole", "street", "road, hole, carriageway, pavement",
     "A hole or sunken area in a road, pavement or cycle path.",
     "We inspect reported potholes and repair dangerous ones within our service standard.",
     [("depth", "singlevaluelist", True, "How deep is it?",
       [{"key": "under_40mm", "name": "Less than 40mm"}, {"key": "40mm_plus", "name": "40mm or more"}]),
      ("in_road", "singlevaluelist", False, "Is it in the road (not the pavement)?", YES_NO)]),
    ("street_light", "highways/street-light", "street", "lamp, lighting, column",
     "A street light that is out, flickering or on during the day.", "",
     [("column_number", "string", False, "The number on the lamp column, if you can see it.", []),
      ("fault", "singlevaluelist", True, "What is wrong?",
       [{"key": "out", "name": "Not working"}, {"key": "flickering", "name": "Flickering"},
        {"key": "day_burning", "name": "On during the day"}, {"key": "damaged", "name": "Damaged"}])]),
    ("fly_tipping", "waste/fly-tipping", "waste", "dumping, rubbish, waste",
     "Rubbish dumped on public land.", "We aim to clear fly-tipping within 5 working days.",
     [("waste_type", "multivaluelist", True, "What has been dumped?",
       [{"key": "household", "name": "Household rubbish"}, {"key": "furniture", "name": "Furniture"},
        {"key": "building", "name": "Building rubble"},
        {"key": "hazardous", "name": "Chemicals or asbestos"}]),
      ("quantity", "singlevaluelist", False, "How much?",
       [{"key": "bag", "name": "A bag or two"}, {"key": "car_boot", "name": "A car boot load"},
        {"key": "van", "name": "A van load or more"}])]),
    ("missed_bin", "waste/missed-bin", "waste", "bin, collection, recycling", "A bin that was not emptied.",
     "", []),
]


@transaction.atomic
def seed_open311(*, command=None) -> int:
    made = 0
    for code, type_path, group, keywords, description, notice, attributes in CATALOGUE:
        service_code_of_type, type_code = type_path.split("/")
        enquiry_type = EnquiryType.objects.filter(service__code=service_code_of_type, code=type_code).first()
        if enquiry_type is None or Open311Service.objects.filter(service_code=code).exists():
            continue
        service = Open311Service.objects.create(
            enquiry_type=enquiry_type, service_code=code, description=description,
            keywords=keywords, group=group, service_notice=notice)
        for order, (attr_code, datatype, required, question, values) in enumerate(attributes, start=1):
            Open311Attribute.objects.create(service=service, code=attr_code, datatype=datatype,
                                            required=required, order=order, description=question,
                                            values=values)
        made += 1
    if command is not None:
        command.stdout.write(f"Open311: {made} services offered to street-reporting partners.")
    return made
