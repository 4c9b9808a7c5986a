"""Demo complaints for `manage.py seed_demo`: about forty cases in every state, made through the
services (back-dated with `at`) so that their events and deadlines are real."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from complaints import services
from complaints.models import Complaint, Outcome, Process
from contacts.models import Customer
from core.models import Service, User
from core.working_days import calendar

C, S = Process.CORPORATE, Process.STATUTORY

# (process, made to the Ombudsman first, age in working days, [(action, working days after receipt)])
SCENARIOS = [
    (C, False, 1, []),
    (C, False, 0, []),
    (C, False, 3, [("allocate", 1)]),
    (C, False, 4, [("allocate", 1)]),  # due soon
    (C, False, 12, [("allocate", 1)]),  # overdue
    (C, False, 9, [("allocate", 1)]),  # overdue
    (C, False, 8, [("allocate", 1), ("interim_response", 4)]),
    (C, False, 15, [("allocate", 1), ("respond", 4)]),
    (C, False, 20, [("allocate", 1), ("respond", 5)]),
    (C, False, 30, [("allocate", 2), ("respond", 6), ("close", 16)]),
    (C, False, 25, [("allocate", 1), ("respond", 3), ("close", 13)]),
    (C, False, 14, [("allocate", 1), ("respond", 4), ("escalate", 12)]),
    (C, False, 20, [("allocate", 1), ("respond", 4), ("escalate", 10), ("allocate_senior", 11)]),
    (C, False, 45, [("allocate", 1), ("respond", 5), ("escalate", 12), ("allocate_senior", 13)]),  # overdue
    (C, False, 60, [("allocate", 1), ("respond", 5), ("escalate", 10), ("allocate_senior", 11),
                    ("respond", 28)]),
    (C, False, 80, [("allocate", 1), ("respond", 4), ("escalate", 9), ("allocate_senior", 10),
                    ("respond", 27), ("close", 35), ("refer_to_ombudsman", 60), ("allocate_legal", 61)]),
    (C, True, 6, [("allocate_senior", 1)]),  # premature Ombudsman complaint
    (S, False, 1, []),
    (S, False, 5, [("allocate_social", 1)]),
    (S, False, 16, [("allocate_social", 2)]),  # overdue
    (S, False, 25, [("allocate_social", 1), ("respond", 9)]),
    (S, False, 40, [("allocate_social", 1), ("respond", 9), ("escalate", 15), ("allocate_social", 16)]),
    (S, False, 85, [("allocate_social", 1), ("respond", 9), ("escalate", 14), ("allocate_social", 15),
                    ("respond", 66), ("escalate", 72)]),
    (C, False, 7, [("allocate", 1), ("make_statutory", 3)]),  # reclassified
]


def seed_complaints(*, command, rng, today, days):
    if Complaint.objects.exists():
        command.stdout.write("Complaints: demo complaints exist already; skipped.")
        return
    people = {username: User.objects.filter(username=username).first()
              for username in ("complaints_officer", "social_care_complaints", "legal", "manager")}
    if None in people.values():
        command.stdout.write("Complaints: demo users missing; skipped.")
        return
    customers = list(Customer.objects.active().order_by("pk")[:200]) or _demo_customers(people, rng)
    services_ = list(Service.objects.filter(is_active=True).order_by("code"))
    if not customers or not services_:
        command.stdout.write("Complaints: no customers or services to complain about; skipped.")
        return
    officers = {
        "allocate": people["complaints_officer"], "allocate_senior": people["manager"],
        "allocate_social": people["social_care_complaints"], "allocate_legal": people["legal"],
    }
    social_care = next((service for service in services_ if "social" in service.code), services_[0])
    cal = calendar()
    made = 0
    for round_ in range(2):
        for process, via_ombudsman, age, steps in SCENARIOS:
            if round_ and age > days:
                continue
            age = age + rng.randint(0, 2) * round_
            received_day = cal.subtract_working_days(today, age)
            received_at = _moment(received_day, 9, rng)
            if received_at > timezone.now():
                received_at = timezone.now() - timedelta(minutes=30)
            complaint = services.complaint_create(
                actor=people["complaints_officer"] if process == C else people["social_care_complaints"],
                customer=rng.choice(customers),
                service=social_care if process == S else rng.choice(services_),
                summary=rng.choice(CARE_SUMMARIES if process == S else SUMMARIES), process=process,
                received_at=received_at,
                via_ombudsman=via_ombudsman,
                ombudsman_reference=f"{today:%y} {rng.randint(100, 999)} {rng.randint(100, 999)}"
                if via_ombudsman else "",
            )
            for hour, (action, offset) in enumerate(steps, start=10):
                moment = _moment(cal.add_working_days(received_day, offset), min(hour, 16), rng)
                complaint = _act(complaint, action, moment, people, officers, rng)
            made += 1
    command.stdout.write(f"Complaints: {made} demo complaints.")


def _demo_customers(people, rng):
    """A few complainants, when the contacts demo made none (through the contacts service)."""
    from contacts.services import customer_create

    names = [("Margaret", "Hughes"), ("David", "Clarke"), ("Priya", "Shah"), ("Tom", "Walsh"),
             ("Grace", "Okoye"), ("Peter", "Lomax"), ("Joan", "Whitworth"), ("Imran", "Hussain")]
    return [
        customer_create(actor=people["complaints_officer"], first_name=first, last_name=last,
                        address_line_1=f"{rng.randint(1, 120)} Stamford Street", town="Ashton-under-Lyne",
                        postcode=f"OL6 {rng.randint(1, 9)}AB")
        for first, last in names
    ]


def _moment(day, hour, rng):
    return timezone.make_aware(datetime.combine(day, time(hour, rng.randint(0, 59))))


def _act(complaint, action, at, people, officers, rng):
    actor = people["social_care_complaints"] if complaint.process == S else people["complaints_officer"]
    if action.startswith("allocate"):
        return services.complaint_allocate(complaint=complaint, actor=actor, officer=officers[action], at=at)
    if action == "interim_response":
        return services.complaint_interim_response(
            complaint=complaint, actor=complaint.assigned_to, at=at,
            note="We are still looking into this and will reply by the revised date.")
    if action == "respond":
        return services.complaint_respond(
            complaint=complaint, actor=complaint.assigned_to, at=at,
            outcome=rng.choice(Outcome.values), response="We have investigated and replied in full.",
            lessons_learned=rng.choice(["", "Update the crew's route sheet.", "Reply to emails in 5 days."]))
    if action == "escalate":
        return services.complaint_escalate(complaint=complaint, actor=actor, at=at,
                                           reason="The complainant is not happy with the response.")
    if action == "close":
        return services.complaint_close(complaint=complaint, actor=actor, at=at)
    if action == "make_statutory":
        return services.complaint_make_statutory(complaint=complaint, actor=actor, at=at)
    if action == "refer_to_ombudsman":
        reference = f"{rng.randint(20, 26)} {rng.randint(100, 999)}"
        return services.complaint_refer_to_ombudsman(complaint=complaint, actor=people["legal"], at=at,
                                                     reference=reference)
    raise ValueError(action)


SUMMARIES = [
    "Bins missed three weeks running despite reporting it each time.",
    "Rude treatment at the customer service centre.",
    "Council Tax bill wrong after moving house; nobody replied to two emails.",
    "Pothole outside the school reported in March still not repaired.",
    "Parking fine issued while the permit was displayed.",
    "Housing repair appointment missed twice without notice.",
    "Planning objection was not considered before the decision.",
    "Benefit claim delayed for eight weeks.",
]
CARE_SUMMARIES = [
    "Care package reduced without an assessment.",
    "Home care visits late or missed for a month.",
    "Charges for residential care were not explained before the move.",
    "Social worker did not return calls about a carer's assessment.",
]
