"""Reference data every council starts with; admins edit it afterwards.

The NI14 reasons follow the examples in the NI14 handbook of definitions (DOMAIN.md). Channel
unit costs are the Socitm Insight figures often quoted for councils (face to face £8.62, telephone
£2.83, web £0.15); email, letter and social media sit between them. A council replaces them with
its own in the admin.
"""

AVOIDABLE_REASONS = [
    ("progress_chasing", "Progress chasing", "Chasing a service or request already made."),
    ("seeking_clarification", "Seeking clarification",
     "A letter, form or message from the council was unclear."),
    ("information_not_available", "Information not available",
     "What they needed should have been on the website or elsewhere."),
    ("wrong_department", "Wrong department",
     "Misdirected, passed around, or contact points not clear."),
    ("repeat_contact", "Repeat contact", "Not resolved the first time."),
    ("service_failure", "Service failure",
     "Caused by a failure to deliver a service, such as a missed bin collection."),
]

CHANNEL_UNIT_COSTS = {
    "face_to_face": "8.62",
    "telephone": "2.83",
    "web": "0.15",
    "email": "3.21",
    "letter": "12.10",
    "social_media": "1.50",
    "partner": "0.15",
}
