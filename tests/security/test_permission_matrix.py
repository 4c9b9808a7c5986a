"""The permission matrix (issue 8, "Permission matrix"): every page and API endpoint, with every
role, anonymous and a partner key, and the exact answer each gets.

Columns, in order: anonymous, adviser, back office, complaints officer, social care complaints,
legal, manager, admin, partner key. Who may do what is DOMAIN.md's "Who uses it":
- advisers log contacts, find and edit customers, follow their Customer Advocate cases;
- back-office officers work their own teams' hand-offs (another team's answers 404);
- complaints officers run corporate complaints; statutory (social care) complaints are for the
  social care complaints officer, managers and admins only (404 for anyone else);
- Legal Services see corporate complaints that involve the Ombudsman;
- partner keys reach only the API, and there only their own contacts and their hand-offs.
Records outside a caller's scope answer 404, so ids cannot be probed. Every cell runs in a
transaction that is rolled back, so the cells do not depend on each other's order.

`test_every_url_is_in_the_matrix` fails when a URL is added without a row here.
"""

import re

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from tests.security.world import ACTORS, build_world

#        anon adv  bo   co   scc  leg  mgr  adm  partner
ROWS = [
    # --- shell ---------------------------------------------------------------------------------
    ("GET", "/healthz", "200 200 200 200 200 200 200 200 200"),
    ("GET", "/", "302 200 200 200 200 200 200 200 302"),
    ("GET", "/login/", "200 302 302 302 302 302 302 302 200"),
    ("GET", "/logout/", "302 405 405 405 405 405 405 405 302"),
    ("POST", "/logout/", "302 302 302 302 302 302 302 302 302"),
    # Single sign-on (issue 21): the world has no OIDC_ISSUER, so its pages do not exist
    # (tests/core/test_sso.py runs them against a provider).
    ("GET", "/login/sso/", "404 404 404 404 404 404 404 404 404"),
    ("GET", "/login/sso/callback/", "404 404 404 404 404 404 404 404 404"),
    # Your profile and your own API keys: every member of staff; another's key is not found.
    ("GET", "/profile/", "302 200 200 200 200 200 200 200 302"),
    ("POST", "/profile/", "302 405 405 405 405 405 405 405 302"),
    ("POST", "/profile/api-keys/", "302 200 200 200 200 200 200 200 302"),
    ("GET", "/profile/api-keys/", "302 405 405 405 405 405 405 405 302"),
    ("POST", "/profile/api-keys/{adviser_api_key}/revoke/", "302 302 404 404 404 404 404 404 302"),
    ("POST", "/profile/api-keys/{missing}/revoke/", "302 404 404 404 404 404 404 404 302"),
    # The audit trail of a record: managers and admins only, 404 for the rest (no hint).
    ("GET", "/audit/contacts.customer/{customer}/", "302 404 404 404 404 404 200 200 302"),
    # --- contacts pages ------------------------------------------------------------------------
    ("GET", "/contacts/log/", "302 200 403 403 403 403 200 200 302"),
    ("POST", "/contacts/log/", "302 400 403 403 403 403 400 400 302"),
    # A back-office team's screen for public contact that reached it directly (issue 15): its
    # officers; managers and admins may stand in for any team.
    ("GET", "/contacts/log/team/", "302 403 200 403 403 403 200 200 302"),
    ("POST", "/contacts/log/team/", "302 403 400 403 403 403 400 400 302"),
    # Whoever logs contacts sees their own repeat contacts of the day (back office too).
    ("GET", "/contacts/repeats/", "302 200 200 403 403 403 200 200 302"),
    ("GET", "/contacts/customers/", "302 200 200 200 200 200 200 200 302"),
    ("GET", "/contacts/customers/new/", "302 200 403 200 200 403 200 200 302"),
    ("POST", "/contacts/customers/new/", "302 302 403 302 302 403 302 302 302"),
    ("GET", "/contacts/customers/{customer}/", "302 200 200 200 200 200 200 200 302"),
    # Merging two records of one person and undoing it (issue 20): managers and admins.
    ("GET", "/contacts/customers/{customer}/merge/{duplicate}/", "302 403 403 403 403 403 200 200 302"),
    ("POST", "/contacts/customers/{customer}/merge/{duplicate}/", "302 403 403 403 403 403 302 302 302"),
    ("GET", "/contacts/customers/{customer}/merge/{missing}/", "302 403 403 403 403 403 404 404 302"),
    ("POST", "/contacts/customers/merges/{missing}/undo/", "302 403 403 403 403 403 404 404 302"),
    ("GET", "/contacts/customers/{missing}/", "302 404 404 404 404 404 404 404 302"),
    ("GET", "/contacts/customers/{customer}/edit/", "302 200 403 200 200 403 200 200 302"),
    ("POST", "/contacts/customers/{customer}/edit/", "302 302 403 302 302 403 302 302 302"),
    # Subject access export (UK GDPR): managers and admins only.
    ("GET", "/contacts/customers/{customer}/export/", "302 403 403 403 403 403 200 200 302"),
    ("POST", "/contacts/customers/{customer}/export/", "302 403 403 403 403 403 302 302 302"),
    # Only the manager who asked downloads it (once, before it expires); the admin did not ask.
    ("GET", "/contacts/exports/{manager_export}/download/", "302 403 403 403 403 403 200 404 302"),
    ("GET", "/contacts/exports/{missing}/download/", "302 403 403 403 403 403 404 404 302"),
    # Erasure and rectification requests (issue 17): admins only. An empty rectification form
    # answers 400 with its errors; confirming redirects to the request's page.
    ("GET", "/contacts/customers/{customer}/erasure/", "302 403 403 403 403 403 403 200 302"),
    ("POST", "/contacts/customers/{customer}/erasure/", "302 403 403 403 403 403 403 302 302"),
    ("GET", "/contacts/customers/{missing}/erasure/", "302 403 403 403 403 403 403 404 302"),
    ("GET", "/contacts/customers/{customer}/rectification/", "302 403 403 403 403 403 403 200 302"),
    ("POST", "/contacts/customers/{customer}/rectification/", "302 403 403 403 403 403 403 400 302"),
    ("GET", "/contacts/requests/{data_request}/", "302 403 403 403 403 403 403 200 302"),
    ("POST", "/contacts/requests/{data_request}/", "302 403 403 403 403 403 403 302 302"),
    ("GET", "/contacts/requests/{missing}/", "302 403 403 403 403 403 403 404 302"),
    ("GET", "/contacts/customers/{missing}/export/", "302 403 403 403 403 403 404 404 302"),
    ("GET", "/contacts/{contact}/", "302 200 200 200 200 200 200 200 302"),
    ("GET", "/contacts/{missing}/", "302 404 404 404 404 404 404 404 302"),
    # --- hand-off pages ------------------------------------------------------------------------
    ("GET", "/handoffs/", "302 404 200 404 404 404 200 200 302"),
    ("GET", "/handoffs/advocate/", "302 200 404 404 404 404 200 200 302"),
    ("GET", "/handoffs/{handoff}/", "302 200 200 404 404 404 200 200 302"),
    ("GET", "/handoffs/{handoff_other_team}/", "302 404 404 404 404 404 200 200 302"),
    ("GET", "/handoffs/{missing}/", "302 404 404 404 404 404 404 404 302"),
    # A photo the hand-off's contact arrived with (issue 20): whoever may see the hand-off (its
    # team, its advocate, managers, admins); a photo of another contact is not found through it.
    ("GET", "/handoffs/{handoff}/photos/{handoff_photo}/", "302 200 200 404 404 404 200 200 302"),
    ("GET", "/handoffs/{handoff_other_team}/photos/{other_team_photo}/",
     "302 404 404 404 404 404 200 200 302"),
    ("GET", "/handoffs/{handoff}/photos/{other_team_photo}/", "302 404 404 404 404 404 404 404 302"),
    ("GET", "/handoffs/{handoff}/photos/{missing}/", "302 404 404 404 404 404 404 404 302"),
    ("POST", "/handoffs/{handoff}/photos/{handoff_photo}/", "302 405 405 405 405 405 405 405 302"),
    ("POST", "/handoffs/{handoff}/accept/", "302 403 302 404 404 404 302 302 302"),
    # Bulk assign from the queue (issue 20): a team's lead, managers and admins; the back-office
    # officer of the world leads no team (403), roles without a queue get 404.
    ("POST", "/handoffs/assign/", "302 404 403 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff_other_team}/accept/", "302 404 404 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff}/update/", "302 302 302 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff_other_team}/update/", "302 404 404 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff}/reassign/", "302 403 302 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff}/resolve/", "302 403 302 404 404 404 302 302 302"),
    ("POST", "/handoffs/{handoff_other_team}/resolve/", "302 404 404 404 404 404 302 302 302"),
    # --- complaint pages -----------------------------------------------------------------------
    ("GET", "/complaints/", "302 404 404 200 200 200 200 200 302"),
    # Advisers and back-office officers take a complaint on their contact screens, where its
    # contact is counted with it.
    ("GET", "/complaints/new/", "302 302 302 200 200 200 200 200 302"),
    ("POST", "/complaints/new/", "302 302 302 200 200 200 200 200 302"),
    ("GET", "/complaints/{corporate}/", "302 404 404 200 404 404 200 200 302"),
    ("GET", "/complaints/{ombudsman}/", "302 404 404 200 404 200 200 200 302"),
    ("GET", "/complaints/{statutory}/", "302 404 404 404 200 404 200 200 302"),
    ("GET", "/complaints/{missing}/", "302 404 404 404 404 404 404 404 302"),
    ("GET", "/complaints/{corporate}/letters/acknowledgement/1/", "302 404 404 200 404 404 200 200 302"),
    ("GET", "/complaints/{statutory}/letters/acknowledgement/1/", "302 404 404 404 200 404 200 200 302"),
    # Sending a letter (issue 18): whoever runs the case; an empty form answers 400.
    ("POST", "/complaints/{corporate}/letters/acknowledgement/1/", "302 404 404 400 404 404 400 400 302"),
    ("POST", "/complaints/{statutory}/letters/acknowledgement/1/", "302 404 404 404 400 404 400 400 302"),
    ("GET", "/complaints/{corporate}/letters/stage-response/1/", "302 404 404 404 404 404 404 404 302"),
    ("GET", "/complaints/{corporate}/letters/{corporate_letter}/", "302 404 404 200 404 404 200 200 302"),
    ("GET", "/complaints/{corporate}/letters/{corporate_letter}/pdf/", "302 404 404 200 404 404 200 200 302"),
    ("GET", "/complaints/{statutory}/letters/{corporate_letter}/", "302 404 404 404 404 404 404 404 302"),
    ("GET", "/complaints/{corporate}/letters/{missing}/", "302 404 404 404 404 404 404 404 302"),
    ("POST", "/complaints/{corporate}/allocate/", "302 404 404 302 404 404 302 302 302"),
    # The register's bulk allocation (issue 20): the team that runs the process. The social care
    # complaints officer cannot see a corporate complaint, nor Legal one that is not an Ombudsman
    # case: 400, "no longer exist", nothing said of it.
    ("POST", "/complaints/allocate/", "302 404 404 302 400 400 302 302 302"),
    ("GET", "/complaints/allocate/", "302 405 405 405 405 405 405 405 302"),
    ("POST", "/complaints/{statutory}/allocate/", "302 404 404 404 302 404 302 302 302"),
    ("POST", "/complaints/{ombudsman}/allocate/", "302 404 404 302 404 302 302 302 302"),
    ("POST", "/complaints/{corporate}/close/", "302 404 404 409 404 404 409 409 302"),
    # Issue 18: acknowledge and extend, for those who run the case. The world runs under
    # strategy-2008, which allows no extension: the page shows the error (400).
    ("POST", "/complaints/{corporate}/acknowledge/", "302 404 404 302 404 404 302 302 302"),
    ("POST", "/complaints/{statutory}/acknowledge/", "302 404 404 404 302 404 302 302 302"),
    ("POST", "/complaints/{corporate}/extend/", "302 404 404 400 404 404 400 400 302"),
    ("GET", "/complaints/{corporate}/allocate/", "302 405 405 405 405 405 405 405 302"),
    # Issue 18: the Ombudsman's decision and its recommendations (409: the world's Ombudsman
    # complaint is still at stage 1), the review panel, learning actions and their list.
    ("POST", "/complaints/{ombudsman}/ombudsman-decision/", "302 404 404 409 404 409 409 409 302"),
    ("POST", "/complaints/{statutory}/review-panel/", "302 404 404 404 409 404 409 409 302"),
    ("POST", "/complaints/{ombudsman}/recommendations/{missing}/done/",
     "302 404 404 409 404 409 409 409 302"),
    ("POST", "/complaints/{corporate}/learning-actions/new/", "302 404 404 302 404 404 302 302 302"),
    ("POST", "/complaints/{statutory}/learning-actions/new/", "302 404 404 404 302 404 302 302 302"),
    ("POST", "/complaints/{corporate}/learning-actions/{missing}/done/",
     "302 404 404 404 404 404 404 404 302"),
    ("GET", "/complaints/learning-actions/", "302 404 404 200 200 404 200 200 302"),
    # --- reports: managers (and admins) only ----------------------------------------------------
    ("GET", "/reports/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/contacts/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/channels/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/complaints/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/handoffs/", "302 403 403 403 403 403 200 200 302"),
    # The cases behind a headline figure (issue 20): the report's readers.
    ("GET", "/reports/complaints/cases/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/handoffs/cases/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/joined-up/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/reports/annual/", "302 403 403 403 403 403 200 200 302"),
    # --- people change (issue 18): managers and admins pass a leaver's work on ------------------
    ("GET", "/people/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/people/{back_office_id}/reassign/", "302 403 403 403 403 403 200 200 302"),
    ("POST", "/people/{back_office_id}/reassign/", "302 403 403 403 403 403 400 400 302"),
    ("GET", "/people/{missing}/reassign/", "302 403 403 403 403 403 404 404 302"),
    # --- contact-centre planning (issue 22): managers and admins only ---------------------------
    ("GET", "/planning/", "302 403 403 403 403 403 200 200 302"),
    # --- customer insight: reports for managers and admins; counter feedback and Tell Us Once
    # for the front office; the emailed survey page is public and found by its token alone -----
    ("GET", "/insight/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/insight/survey/{missing}/", "404 404 404 404 404 404 404 404 404"),
    ("POST", "/insight/survey/{missing}/", "404 404 404 404 404 404 404 404 404"),
    ("GET", "/insight/surveys/counter/", "302 200 403 403 403 403 200 200 302"),
    ("GET", "/insight/surveys/counter/{contact}/", "302 200 403 403 403 403 200 200 302"),
    ("POST", "/insight/surveys/counter/{contact}/", "302 302 403 403 403 403 302 302 302"),
    ("GET", "/insight/surveys/counter/{missing}/", "302 404 403 403 403 403 404 404 302"),
    ("GET", "/insight/journeys/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/insight/journeys/customers/{customer}/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/insight/journeys/customers/{missing}/", "302 403 403 403 403 403 404 404 302"),
    ("GET", "/insight/services-together/", "302 403 403 403 403 403 200 200 302"),
    ("GET", "/insight/life-events/", "302 200 403 403 403 403 200 200 302"),
    ("GET", "/insight/life-events/new/", "302 200 403 403 403 403 200 200 302"),
    ("GET", "/insight/life-events/new/{customer}/", "302 200 403 403 403 403 200 200 302"),
    # No Tell Us Once route exists in this world, so even a complete form is refused (400).
    ("POST", "/insight/life-events/new/{customer}/", "302 400 403 403 403 403 400 400 302"),
    ("GET", "/insight/life-events/{missing}/", "302 404 403 403 403 403 404 404 302"),
    # --- messages to residents (issue 19): Notify's delivery receipts need its bearer token,
    # whoever is signed in (401); the opt-out link in a message is public, found by its token ----
    ("POST", "/notify/receipts/", "401 401 401 401 401 401 401 401 401"),
    ("GET", "/notify/receipts/", "405 405 405 405 405 405 405 405 405"),
    ("GET", "/contacts/stop-messages/{missing}/", "404 404 404 404 404 404 404 404 404"),
    ("POST", "/contacts/stop-messages/{missing}/", "404 404 404 404 404 404 404 404 404"),
    # The effect of proactive updates: managers and admins only.
    ("GET", "/notify/effect/", "302 403 403 403 403 403 200 200 302"),
    # --- API: catalogue and auth ---------------------------------------------------------------
    ("POST", "/api/v1/auth/token/", "400 400 400 400 400 400 400 400 400"),
    ("GET", "/api/v1/services/", "401 200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/avoidable-reasons/", "401 200 200 200 200 200 200 200 200"),
    ("GET", "/api/schema/", "401 200 200 200 200 200 200 200 200"),
    ("GET", "/api/docs/", "401 200 200 200 200 200 200 200 200"),
    # --- API: customers and contacts -----------------------------------------------------------
    ("GET", "/api/v1/customers/", "401 200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/customers/", "401 201 403 201 201 403 201 201 201"),
    ("GET", "/api/v1/customers/{customer}/", "401 200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/customers/{missing}/", "401 404 404 404 404 404 404 404 404"),
    ("GET", "/api/v1/customers/{customer}/timeline/", "401 200 200 200 200 200 200 200 200"),
    # v1.1: back-office officers log (and list) contacts too.
    ("GET", "/api/v1/contacts/", "401 200 200 403 403 403 200 200 200"),
    ("POST", "/api/v1/contacts/", "401 201 201 403 403 403 201 201 201"),
    # --- API: hand-offs ------------------------------------------------------------------------
    ("GET", "/api/v1/handoffs/", "401 200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/handoffs/{handoff}/", "401 200 200 404 404 404 200 200 404"),
    ("GET", "/api/v1/handoffs/{handoff_other_team}/", "401 404 404 404 404 404 200 200 404"),
    ("GET", "/api/v1/handoffs/{handoff_partner}/", "401 404 200 404 404 404 200 200 200"),
    ("GET", "/api/v1/handoffs/{handoff_other_partner}/", "401 404 200 404 404 404 200 200 404"),
    ("GET", "/api/v1/handoffs/{missing}/", "401 404 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/handoffs/{handoff}/accept/", "401 403 200 404 404 404 200 200 404"),
    ("POST", "/api/v1/handoffs/{handoff_other_team}/accept/", "401 404 404 404 404 404 200 200 404"),
    ("POST", "/api/v1/handoffs/{handoff_partner}/accept/", "401 404 200 404 404 404 200 200 403"),
    ("POST", "/api/v1/handoffs/{handoff}/update/", "401 200 200 404 404 404 200 200 404"),
    ("POST", "/api/v1/handoffs/{handoff_partner}/update/", "401 404 200 404 404 404 200 200 403"),
    ("POST", "/api/v1/handoffs/{handoff}/resolve/", "401 403 200 404 404 404 200 200 404"),
    ("POST", "/api/v1/handoffs/{handoff_other_team}/resolve/", "401 404 404 404 404 404 200 200 404"),
    # --- API: complaints -----------------------------------------------------------------------
    ("GET", "/api/v1/complaints/", "401 200 200 200 200 200 200 200 200"),
    # v1.1: advisers and partner keys take complaints too (a corporate one here); so do
    # back-office officers, whom the public reaches directly (issue 15).
    ("POST", "/api/v1/complaints/", "401 201 201 201 403 201 201 201 201"),
    ("GET", "/api/v1/complaints/{corporate}/", "401 404 404 200 404 404 200 200 404"),
    ("GET", "/api/v1/complaints/{ombudsman}/", "401 404 404 200 404 200 200 200 404"),
    ("GET", "/api/v1/complaints/{statutory}/", "401 404 404 404 200 404 200 200 404"),
    ("GET", "/api/v1/complaints/{missing}/", "401 404 404 404 404 404 404 404 404"),
    ("POST", "/api/v1/complaints/{corporate}/allocate/", "401 404 404 200 404 404 200 200 404"),
    ("POST", "/api/v1/complaints/{statutory}/allocate/", "401 404 404 404 200 404 200 200 404"),
    ("POST", "/api/v1/complaints/{ombudsman}/allocate/", "401 404 404 200 404 200 200 200 404"),
    ("POST", "/api/v1/complaints/{corporate}/interim-response/", "401 404 404 409 404 404 409 409 404"),
    # Issue 18 (API.md v1.2): acknowledge; extend answers 400 under strategy-2008 (no extensions).
    ("POST", "/api/v1/complaints/{corporate}/acknowledge/", "401 404 404 200 404 404 200 200 404"),
    ("POST", "/api/v1/complaints/{statutory}/acknowledge/", "401 404 404 404 200 404 200 200 404"),
    ("POST", "/api/v1/complaints/{corporate}/extend/", "401 404 404 400 404 404 400 400 404"),
    ("POST", "/api/v1/complaints/{corporate}/respond/", "401 404 404 409 404 404 409 409 404"),
    ("POST", "/api/v1/complaints/{corporate}/escalate/", "401 404 404 409 404 404 409 409 404"),
    ("POST", "/api/v1/complaints/{corporate}/make-statutory/", "401 404 404 200 404 404 200 200 404"),
    ("POST", "/api/v1/complaints/{corporate}/refer-to-ombudsman/", "401 404 404 409 404 404 409 409 404"),
    ("POST", "/api/v1/complaints/{corporate}/close/", "401 404 404 409 404 404 409 409 404"),
    ("POST", "/api/v1/complaints/{statutory}/close/", "401 404 404 404 409 404 409 409 404"),
    # Issue 18 (v1.2): 409 as the world's complaints are not with the Ombudsman or at stage 3.
    ("POST", "/api/v1/complaints/{corporate}/ombudsman-decision/", "401 404 404 409 404 404 409 409 404"),
    ("POST", "/api/v1/complaints/{ombudsman}/ombudsman-decision/", "401 404 404 409 404 409 409 409 404"),
    ("POST", "/api/v1/complaints/{statutory}/ombudsman-decision/", "401 404 404 404 409 404 409 409 404"),
    ("POST", "/api/v1/complaints/{ombudsman}/recommendations/{missing}/done/",
     "401 404 404 409 404 409 409 409 404"),
    ("POST", "/api/v1/complaints/{statutory}/review-panel/", "401 404 404 404 409 404 409 409 404"),
    # --- API: reports --------------------------------------------------------------------------
    ("GET", "/api/v1/reports/ni14/", "401 403 403 403 403 403 200 200 403"),
    ("GET", "/api/v1/reports/forecast/", "401 403 403 403 403 403 200 200 403"),
    ("GET", "/api/v1/reports/staffing/", "401 403 403 403 403 403 200 200 403"),
    # --- Open311 GeoReport v2: reads are public (the specification); POST needs a partner's
    # api_key in the form, which no actor sends here (tests/open311 cover the partner's 201) ---------
    ("GET", "/open311/v2/discovery.json", "200 200 200 200 200 200 200 200 200"),
    ("GET", "/open311/v2/services.json", "200 200 200 200 200 200 200 200 200"),
    ("GET", "/open311/v2/services/{missing}.json", "404 404 404 404 404 404 404 404 404"),
    ("GET", "/open311/v2/requests.json", "200 200 200 200 200 200 200 200 200"),
    ("POST", "/open311/v2/requests.json", "403 403 403 403 403 403 403 403 403"),
    ("GET", "/open311/v2/requests/{missing}.json", "404 404 404 404 404 404 404 404 404"),
    # --- resident self service: public pages, the same for everyone (no answers in the session:
    # the check and confirmation pages send back to the start; empty forms answer 400) ------------
    ("GET", "/self-service/", "200 200 200 200 200 200 200 200 200"),
    ("GET", "/self-service/what/", "200 200 200 200 200 200 200 200 200"),
    ("POST", "/self-service/what/", "400 400 400 400 400 400 400 400 400"),
    # The photos question (issue 20) is for a problem report under way: without one, back to
    # the first question.
    ("GET", "/self-service/photos/", "302 302 302 302 302 302 302 302 302"),
    ("POST", "/self-service/photos/", "302 302 302 302 302 302 302 302 302"),
    ("GET", "/self-service/check/", "302 302 302 302 302 302 302 302 302"),
    ("POST", "/self-service/check/", "302 302 302 302 302 302 302 302 302"),
    ("GET", "/self-service/done/", "302 302 302 302 302 302 302 302 302"),
    ("GET", "/self-service/progress/", "200 200 200 200 200 200 200 200 200"),
    ("POST", "/self-service/progress/", "400 400 400 400 400 400 400 400 400"),
    # The accessibility statement and privacy notice (issue 20): public, linked in every footer.
    ("GET", "/self-service/accessibility/", "200 200 200 200 200 200 200 200 200"),
    ("GET", "/self-service/privacy/", "200 200 200 200 200 200 200 200 200"),
]

# Request bodies: valid input, so an allowed caller gets the success answer (302 after a page
# form, 200/201 from the API) and a refused one gets 403/404 before the input is looked at.
BODIES = {
    "/profile/api-keys/": {"name": "Matrix script"},
    "/contacts/customers/new/": {"first_name": "Grace", "last_name": "Hopper"},
    "/contacts/customers/{customer}/edit/": {"first_name": "Grace", "last_name": "Hopper"},
    "/contacts/customers/{customer}/merge/{duplicate}/": {"keep": "{customer}"},
    "/insight/surveys/counter/{contact}/": {"satisfaction": "4", "ease": "5", "resolved": "yes"},
    "/insight/life-events/new/{customer}/": {"kind": "moving_home", "event_day": "2",
                                              "event_month": "11", "event_year": "2026",
                                              "details": "Moving to 1 Oak Street.",
                                              "channel": "telephone", "services": ["1"]},
    "/handoffs/{handoff}/update/": {"update-note": "Rang the crew."},
    "/handoffs/{handoff_other_team}/update/": {"update-note": "Rang the crew."},
    "/handoffs/{handoff}/reassign/": {"reassign-officer": "{back_office_id}"},
    "/handoffs/assign/": {"handoff": "{handoff}", "officer": "{back_office_id}"},
    "/handoffs/{handoff}/resolve/": {"resolve-outcome": "Collected."},
    "/handoffs/{handoff_other_team}/resolve/": {"resolve-outcome": "Collected."},
    "/complaints/{corporate}/allocate/": {"allocate-officer": "{complaints_officer}"},
    "/complaints/allocate/": {"complaint": "{corporate}", "officer": "{complaints_officer_id}"},
    "/complaints/{ombudsman}/allocate/": {"allocate-officer": "{complaints_officer}"},
    "/complaints/{statutory}/allocate/": {"allocate-officer": "{social_care_complaints}"},
    "/complaints/{ombudsman}/ombudsman-decision/": {"ombudsman_decision-decision": "upheld"},
    "/complaints/{corporate}/learning-actions/new/": {
        "learning-action": "Retrain the crew", "learning-owner": "{complaints_officer}",
        "learning-due_date_day": "1", "learning-due_date_month": "12", "learning-due_date_year": "2099"},
    "/complaints/{statutory}/learning-actions/new/": {
        "learning-action": "Review the care plan", "learning-owner": "{social_care_complaints}",
        "learning-due_date_day": "1", "learning-due_date_month": "12", "learning-due_date_year": "2099"},
    "/complaints/{corporate}/extend/": {"extend-working_days": "5", "extend-reason": "Awaiting a report."},
    "/api/v1/auth/token/": {"username": "nobody", "password": "wrong-password-2026"},
    "/api/v1/customers/": {"first_name": "Grace", "last_name": "Hopper"},
    "/api/v1/contacts/": {"channel": "telephone", "service": "waste", "enquiry_type": "bin-days",
                          "summary": "Collection day?", "avoidable": False},
    "/api/v1/handoffs/{handoff}/update/": {"note": "Rang the crew."},
    "/api/v1/handoffs/{handoff_partner}/update/": {"note": "Rang the crew."},
    "/api/v1/handoffs/{handoff}/resolve/": {"note": "Collected."},
    "/api/v1/handoffs/{handoff_other_team}/resolve/": {"note": "Collected."},
    "/api/v1/complaints/": {"customer": "{customer}", "service": "waste", "summary": "Rude.",
                            "process": "corporate"},
    "/api/v1/complaints/{corporate}/allocate/": {"officer": "{complaints_officer}"},
    "/api/v1/complaints/{ombudsman}/allocate/": {"officer": "{complaints_officer}"},
    "/api/v1/complaints/{statutory}/allocate/": {"officer": "{social_care_complaints}"},
    "/api/v1/complaints/{corporate}/interim-response/": {"note": "We are looking into it."},
    "/api/v1/complaints/{corporate}/extend/": {"working_days": 5, "reason": "Awaiting a report."},
    "/api/v1/complaints/{corporate}/respond/": {"outcome": "upheld", "response": "Sorry."},
    "/api/v1/complaints/{corporate}/escalate/": {"reason": "Unhappy."},
    "/api/v1/complaints/{corporate}/refer-to-ombudsman/": {"reference": "LGO/2"},
    "/api/v1/complaints/{corporate}/ombudsman-decision/": {"decision": "upheld"},
    "/api/v1/complaints/{ombudsman}/ombudsman-decision/": {"decision": "upheld"},
    "/api/v1/complaints/{statutory}/ombudsman-decision/": {"decision": "upheld"},
}

# Cells where the application disagrees with DOMAIN.md today: (method, path, actor) -> what it
# answers. Each is a bug; the test fails if one is fixed and still listed here.
KNOWN_BUGS: dict[tuple[str, str, str], int] = {}


def _admin_rows(world) -> list[tuple[str, str, str]]:
    """The Django admin: only admins (superusers) open it; everyone else is sent to its login."""
    rows = [("GET", "/admin/", "302 302 302 302 302 302 302 200 302"),
            ("GET", "/admin/login/", "200 200 200 200 200 200 200 302 200"),
            ("GET", "/admin/password_change/", "302 302 302 302 302 302 302 200 302"),
            ("GET", "/admin/password_change/done/", "302 302 302 302 302 302 302 200 302"),
            ("GET", "/admin/jsi18n/", "302 302 302 302 302 302 302 200 302"),
            ("GET", "/admin/autocomplete/", "302 302 302 302 302 302 302 403 302"),
            ("POST", "/admin/logout/", "302 302 302 302 302 302 302 302 302"),
            ("GET", f"/admin/core/user/{world.users['adviser'].pk}/password/",
             "302 302 302 302 302 302 302 200 302"),
            ("GET", "/admin/no-such-page/", "302 302 302 302 302 302 302 404 302")]
    from django.contrib.contenttypes.models import ContentType

    customer_type = ContentType.objects.get(app_label="contacts", model="customer")
    rows.append(("GET", f"/admin/r/{customer_type.pk}/{world.ids['customer']}/",
                 "302 302 302 302 302 302 302 404 302"))
    from core.models import MessageTemplate

    template = MessageTemplate.objects.order_by("pk").first()
    rows.append(("GET", f"/admin/core/messagetemplate/{template.pk if template else 987654}/preview/",
                 f"302 302 302 302 302 302 302 {200 if template else 404} 302"))
    app_labels = sorted({model._meta.app_label for model in admin.site._registry})
    for label in app_labels:
        rows.append(("GET", f"/admin/{label}/", "302 302 302 302 302 302 302 200 302"))
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        denied = "302 302 302 302 302 302 302"
        model_admin = admin.site._registry[model]
        superuser = world.users["admin"]
        rows.append(("GET", base, f"{denied} 200 302"))
        rows.append(("GET", f"{base}add/", f"{denied} {_admin_add_answer(model_admin, superuser)} 302"))
        instance = model._default_manager.order_by("pk").first()
        if instance is None:
            # No row to open: the admin sends even an admin back to its index for a missing id.
            # ... except that a model nobody may delete refuses its delete page before the lookup.
            undeletable = _admin_delete_answer(model_admin, superuser) == "403"
            for suffix in ("change/", "history/", "delete/", ""):
                answer = "403" if suffix == "delete/" and undeletable else "302"
                rows.append(("GET", f"{base}987654/{suffix}", f"{denied} {answer} 302"))
        else:
            rows.append(("GET", f"{base}{instance.pk}/change/", f"{denied} 200 302"))
            rows.append(("GET", f"{base}{instance.pk}/history/", f"{denied} 200 302"))
            rows.append(("GET", f"{base}{instance.pk}/delete/",
                         f"{denied} {_admin_delete_answer(model_admin, superuser)} 302"))
            rows.append(("GET", f"{base}{instance.pk}/", f"{denied} 302 302"))
    return rows


def _admin_add_answer(model_admin, superuser) -> str:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = superuser
    return "200" if model_admin.has_add_permission(request) else "403"


def _admin_delete_answer(model_admin, superuser) -> str:
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = superuser
    return "200" if model_admin.has_delete_permission(request) else "403"


def _fill(template, ids):
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    if not isinstance(template, str):
        return template
    return re.sub(r"\{(\w+)\}", lambda match: str(ids[match.group(1)]), template)


def _answer(world, actor, method, path, body):
    client = world.client(actor, path)
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif path.startswith("/api/"):
            response = client.post(path, body or {}, content_type="application/json")
        else:
            response = client.post(path, body or {})
        transaction.set_rollback(True)
    return response.status_code


def _walk_patterns(patterns, prefix=""):
    for pattern in patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _walk_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def all_routes() -> set[str]:
    return set(_walk_patterns(get_resolver().url_patterns))


@pytest.fixture
def world(db):
    return build_world()


def _matrix(world):
    return [*ROWS, *_admin_rows(world)]


def test_every_role_gets_the_answer_its_role_allows(world):
    wrong, cells = [], 0
    for method, template, expected in _matrix(world):
        path = _fill(template, world.ids)
        body = _fill(BODIES.get(template, {}), world.ids)
        for actor, want in zip(ACTORS, expected.split(), strict=True):
            got = _answer(world, actor, method, path, body)
            cells += 1
            known = KNOWN_BUGS.get((method, template, actor))
            if known is not None:
                if got != known:
                    wrong.append(f"{method} {template} as {actor}: known bug answered {got}, "
                                 f"not {known} (fixed? then drop it from KNOWN_BUGS)")
            elif str(got) != want:
                wrong.append(f"{method} {template} as {actor}: {got}, expected {want}")
    print(f"permission matrix: {cells} cells ({len(_matrix(world))} requests x {len(ACTORS)} actors)")
    assert not wrong, "\n".join(wrong)


def test_every_url_is_in_the_matrix(world):
    """A URL added without a row in the matrix fails here: add its row (and its answers)."""
    covered = {resolve(_fill(template, world.ids).split("?")[0]).route
               for _, template, _ in _matrix(world)}
    missing = sorted(all_routes() - covered)
    assert not missing, "URLs without a row in the permission matrix:\n" + "\n".join(missing)
