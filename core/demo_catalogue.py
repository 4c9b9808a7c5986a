"""A metropolitan borough's service catalogue, for the demo and as a starting point.

Each enquiry type: (code, name, hand-off method, receiving team code, service standard in
working days). One & Done types need no team.
"""

OD, FF, CA = "one_and_done", "fire_and_forget", "customer_advocate"

TEAMS = [
    ("customer-services", "Customer Services", True),
    ("revenues", "Revenues (Council Tax)", False),
    ("benefits", "Benefits", False),
    ("waste-operations", "Waste Operations", False),
    ("planning-development", "Planning and Development", False),
    ("highways-maintenance", "Highways Maintenance", False),
    ("housing-options", "Housing Options", False),
    ("adult-social-care-access", "Adult Social Care Access Team", False),
    ("registrars", "Registration Service", False),
    ("parking-services", "Parking Services", False),
    ("environmental-health", "Environmental Health", False),
]

SERVICES = [
    ("council-tax", "Council Tax", [
        ("balance-enquiry", "Balance or payment enquiry", OD, None, 0),
        ("change-of-address", "Moving home", FF, "revenues", 10),
        ("single-person-discount", "Single person discount", FF, "revenues", 10),
        ("arrears-arrangement", "Arrears and payment arrangement", CA, "revenues", 5),
        ("bill-query", "Query about a bill", OD, None, 0),
    ]),
    ("benefits", "Benefits", [
        ("claim-progress", "Progress of a claim", OD, None, 0),
        ("new-claim", "New Housing Benefit or Council Tax Support claim", CA, "benefits", 14),
        ("change-of-circumstances", "Change of circumstances", FF, "benefits", 10),
        ("free-school-meals", "Free school meals", FF, "benefits", 5),
    ]),
    ("waste", "Waste and Recycling", [
        ("missed-bin", "Missed bin collection", FF, "waste-operations", 2),
        ("new-bin", "New or replacement bin", FF, "waste-operations", 10),
        ("bulky-collection", "Bulky waste collection", OD, None, 0),
        ("collection-days", "Collection days", OD, None, 0),
        ("fly-tipping", "Fly-tipping", FF, "environmental-health", 5),
    ]),
    ("planning", "Planning", [
        ("application-progress", "Progress of a planning application", OD, None, 0),
        ("pre-application-advice", "Pre-application advice", CA, "planning-development", 20),
        ("enforcement", "Planning enforcement", FF, "planning-development", 15),
    ]),
    ("highways", "Highways", [
        ("pothole", "Pothole", FF, "highways-maintenance", 5),
        ("street-light", "Street light fault", FF, "highways-maintenance", 10),
        ("gritting", "Gritting and winter service", OD, None, 0),
    ]),
    ("housing", "Housing", [
        ("homelessness", "Homeless or at risk", CA, "housing-options", 1),
        ("housing-register", "Housing register", FF, "housing-options", 15),
        ("disrepair", "Private rented disrepair", CA, "environmental-health", 10),
    ]),
    ("adult-social-care", "Adult Social Care", [
        ("care-assessment", "Request a care needs assessment", CA, "adult-social-care-access", 5),
        ("blue-badge", "Blue badge", FF, "adult-social-care-access", 15),
        ("safeguarding-concern", "Safeguarding concern", CA, "adult-social-care-access", 1),
    ]),
    ("registrars", "Registrars", [
        ("birth-registration", "Register a birth", OD, None, 0),
        ("death-registration", "Register a death (Tell Us Once)", CA, "registrars", 3),
        ("certificate-copy", "Copy certificate", FF, "registrars", 10),
    ]),
    ("parking", "Parking", [
        ("pcn-challenge", "Penalty charge notice challenge", FF, "parking-services", 14),
        ("resident-permit", "Resident parking permit", OD, None, 0),
    ]),
    # A life event told once (Tell Us Once) is one contact of these, however many services
    # are told (insight.TellUsOnceContactType); each service gets a hand-off of it.
    ("tell-us-once", "Tell Us Once", [
        ("bereavement", "Bereavement", OD, None, 0),
        ("moving-home", "Moving home", OD, None, 0),
        ("new-baby", "New baby", OD, None, 0),
    ]),
    ("environmental-health", "Environmental Health", [
        ("noise-complaint", "Noise nuisance", FF, "environmental-health", 10),
        ("food-hygiene", "Food hygiene concern", FF, "environmental-health", 5),
        ("pest-control", "Pest control booking", OD, None, 0),
    ]),
]

SITES = [
    ("call-centre", "Contact Centre", "call_centre"),
    ("town-hall-csc", "Town Hall Customer Service Centre", "customer_service_centre"),
    ("north-csc", "North Customer Service Centre", "customer_service_centre"),
    ("online", "Website", "online"),
]

# Each back-office team takes public contact directly at its own office (issue 15): a
# back-office officer's contacts are recorded there, so the reports show which teams take most.
BACK_OFFICE_SITE = ("{code}-office", "{name} office", "back_office")

# Cost per transaction where an enquiry type differs from its channel's unit cost (seed 004: a
# free-school-meals application costs £25 on paper and 6p online): (service, enquiry type,
# channel, pounds).
TRANSACTION_COSTS = [
    ("benefits", "free-school-meals", "letter", "25.00"),
    ("benefits", "free-school-meals", "web", "0.06"),
]
