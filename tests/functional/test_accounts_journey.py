"""The issue's whole story, as a new user would try it: the analyst sets up a partner, a user and
a channel; the partner prints the poster; a resident answers through the link; both see it."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import update

from survey_app.extensions import db
from survey_app.models import Response

from ..helpers import complete_survey, text_of
from .staff_factories import ANALYST_EMAIL, PARTNER_B_EMAIL, make_staff, partner_id, sign_in


def test_analyst_sets_up_a_partner_whose_channel_brings_a_counted_resident(app, client):
    make_staff(app)
    sign_in(client, ANALYST_EMAIL)
    client.get("/admin/partners")
    client.submit("/admin/partners", {"name": "Fishermead Housing"})
    fishermead = partner_id(app, "Fishermead Housing")
    client.get("/admin/users/new")
    response = client.submit(
        "/admin/users/new",
        {"email": "hello@fishermead.example", "role": "partner", "partner_id": str(fishermead)},
    )
    link_page = client.get(response.headers["Location"]).get_data(as_text=True)
    set_password = re.search(r"http://localhost(/set-password/[^<\s]+)", link_page).group(1)
    client.get("/admin/channels/new")
    response = client.submit(
        "/admin/channels/new",
        {"partner_id": str(fishermead), "name": "Noticeboards", "slug": "fishermead-boards"},
    )
    new_channel = int(response.headers["Location"].rsplit("/", 1)[1])

    partner = app.test_client()
    partner.get(set_password)
    password = "fishermead notice boards"
    partner.submit(set_password, {"password": password, "confirm_password": password})
    sign_in(partner, "hello@fishermead.example", password)
    assert partner.get(f"/channels/{new_channel}/poster.pdf").data.startswith(b"%PDF")

    resident = app.test_client()
    resident.get("/s/fishermead-boards")
    complete_survey(resident)
    # Partners see figures as at the end of yesterday: today's resident shows tomorrow.
    assert "No resident has submitted the survey through your links yet" in text_of(
        partner.get("/partner/")
    )
    with app.app_context():
        db.session.execute(
            update(Response).values(submitted_on=dt.date.today() - dt.timedelta(days=1))
        )
        db.session.commit()

    weekly = text_of(partner.get("/partner/"))
    assert "Total fewer than 10" in weekly
    dashboard = text_of(client.get("/admin/dashboard"))
    assert "Noticeboards Fishermead Housing 1 1" in dashboard

    other = app.test_client()
    sign_in(other, PARTNER_B_EMAIL)
    page = text_of(other.get("/partner/"))
    assert "Noticeboards" not in page and "Fishermead" not in page
    assert other.get(f"/partner/channels/{new_channel}").status_code == 404
    assert other.get(f"/channels/{new_channel}/poster.pdf").status_code == 404
