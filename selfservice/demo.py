"""Demo self-service offers for `manage.py seed_demo` (called from SelfServiceConfig.seed_demo):
what a metropolitan borough lets residents report or ask for online. Idempotent."""

from core.models import EnquiryType
from selfservice.models import Kind, SelfServiceOffer

# (service code, enquiry type code, kind, title, hint)
OFFERS = [
    ("waste", "missed-bin", Kind.PROBLEM, "A missed bin collection", "Tell us by 5pm the day after."),
    ("waste", "fly-tipping", Kind.PROBLEM, "Fly-tipping", "Rubbish dumped on the street or open land."),
    ("highways", "pothole", Kind.PROBLEM, "A pothole", ""),
    ("highways", "street-light", Kind.PROBLEM, "A street light that is not working", ""),
    ("environmental-health", "noise-complaint", Kind.PROBLEM, "Noise from a neighbour or business", ""),
    ("waste", "new-bin", Kind.REQUEST, "A new or replacement bin", ""),
    ("waste", "bulky-collection", Kind.REQUEST, "A bulky waste collection", "Furniture or appliances."),
    ("council-tax", "single-person-discount", Kind.REQUEST, "Single person discount on Council Tax", ""),
]


def seed_self_service(*, command=None) -> int:
    made = 0
    for order, (service_code, type_code, kind, title, hint) in enumerate(OFFERS, start=1):
        enquiry_type = EnquiryType.objects.filter(service__code=service_code, code=type_code).first()
        if enquiry_type is None:
            continue
        _, created = SelfServiceOffer.objects.get_or_create(
            enquiry_type=enquiry_type, defaults={"kind": kind, "title": title, "hint": hint,
                                                 "order": order})
        made += created
    if command is not None:
        command.stdout.write(f"Self service: {made} enquiry types offered to residents online.")
    return made
