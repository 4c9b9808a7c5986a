"""The retention task on aged contacts (issue 17: "1 million aged contacts are erased in under 2
minutes on this machine").

N contacts closed eight years ago (ten per customer) are inserted with SQL, then
`manage.py apply_retention` erases them (chunks of 5,000, each its own transaction, the summary
triggers firing) and anonymises their customers. The baseline is the floor: one raw UPDATE of the
same rows' personal columns in a single statement (no chunks, no resumability), after putting the
text back. The figure is the rate (contacts erased a second) and the time against the baseline.
"""

from __future__ import annotations

import psycopg

from benchmarks.harness import Figure, Timer, child_env, manage

TARGET_SECONDS_PER_MILLION = 120


def _insert_aged(database_url: str, contacts: int) -> None:
    customers = max(1, contacts // 10)
    with psycopg.connect(database_url, autocommit=True) as conn:
        service_id = conn.execute("SELECT id FROM core_service ORDER BY id LIMIT 1").fetchone()[0]
        first = conn.execute("SELECT COALESCE(MAX(id), 0) FROM contacts_customer").fetchone()[0]
        conn.execute("""
            INSERT INTO contacts_customer (first_name, last_name, address_line_1, address_line_2, town,
                postcode, uprn, phone, email, preferred_channel, accessibility_needs, is_vulnerable,
                vulnerability_notes, consent_notes, created_at, updated_at)
            SELECT 'Aged', 'Customer ' || g, g || ' High Street', '', 'Ashton', 'OL6 6AB', '',
                   '07700' || lpad(g::text, 6, '0'), 'aged' || g || '@example.com', '', '', false, '',
                   '', now() - interval '9 years', now() - interval '9 years'
            FROM generate_series(1, %s) g""", [customers])
        conn.execute("""
            INSERT INTO contacts_contact (channel, direction, service_id, customer_id, received_at,
                received_date, summary, resolved_at_first_contact, avoidable, handoff_method,
                handoff_override_reason, source, external_ref, created_at, enquiry_closed_at)
            SELECT (ARRAY['telephone','email','web','face_to_face'])[1 + g %% 4], 'inbound', %s,
                   %s + 1 + (g %% %s), now() - interval '8 years' - (g %% 700) * interval '1 hour',
                   (now() - interval '8 years' - (g %% 700) * interval '1 hour')::date,
                   'Rang about the bin at ' || g || ' High Street, on 07700 ' || g, g %% 2 = 0, false,
                   'one_and_done', '', 'import', 'REF' || g, now(),
                   now() - interval '8 years' - (g %% 700) * interval '1 hour'
            FROM generate_series(1, %s) g""", [service_id, first, customers, contacts])
        conn.execute("ANALYZE contacts_contact")
        conn.execute("ANALYZE contacts_customer")


def run(database_url: str, contacts: int) -> list[Figure]:
    _insert_aged(database_url, contacts)
    env = child_env(database_url)
    with Timer() as timer:
        out = manage("apply_retention", env=env).stdout
    with psycopg.connect(database_url, autocommit=True) as conn:
        erased = conn.execute(
            "SELECT (counts->>'contacts.contact')::bigint, (counts->>'contacts.customer')::bigint "
            "FROM core_retentionrun ORDER BY id DESC LIMIT 1").fetchone()
        # The floor: the same rows' text put back, then erased by one raw UPDATE.
        conn.execute("UPDATE contacts_contact SET summary = 'Put back', external_ref = 'R' "
                     "WHERE summary = '[removed under the retention policy]'")
        with Timer() as raw:
            conn.execute("UPDATE contacts_contact SET summary = '[removed under the retention policy]', "
                         "external_ref = '', handoff_override_reason = '' "
                         "WHERE enquiry_closed_at < now() - interval '6 years 2 days'")
    contacts_erased, customers_erased = erased
    per_million = timer.seconds * 1_000_000 / max(contacts_erased, 1)
    return [
        Figure("retention", f"apply_retention: {contacts_erased:,} aged contacts and "
                            f"{customers_erased:,} customers", timer.seconds, "s",
               baseline=raw.seconds, baseline_name="one raw UPDATE of the same contacts",
               target=f"1 million contacts in under {TARGET_SECONDS_PER_MILLION} s",
               met=per_million < TARGET_SECONDS_PER_MILLION,
               notes=f"{contacts_erased / timer.seconds:,.0f} contacts a second "
                     f"({per_million:.0f} s a million); {out.strip().splitlines()[-1]}"),
    ]
