"""The admin site in a real browser (Debian's chromium, driven by Playwright) against a live server:
an operator signs in, finds a bounty by search, cancels it with an action, and finds the change in the
activity log."""

import re

import pytest

from accounts.models import ActivityLog
from bounties.models import Bounty
from tests.factories import TEST_PASSWORD, AdminFactory, BountyFactory

DISTINCTIVE_TITLE = "Zebra-striped oracle migration"


@pytest.fixture
def operator(transactional_db):
    # An admin by role alone, not a superuser: the role grants every screen (accounts.backends).
    return AdminFactory(email="operator@example.com")


@pytest.fixture
def bounties(transactional_db):
    """The bounty to find, among others sharing words of its title (the search must narrow to it)."""
    wanted = BountyFactory(title=DISTINCTIVE_TITLE)
    BountyFactory(title="Oracle price feed migration")
    BountyFactory(title="Zebra crossing illustrations")
    return wanted


def test_admin_console_operator_finds_cancels_and_audits_a_bounty(live_server, operator, bounties, page):
    from playwright.sync_api import expect

    # given an operator signing in through the admin site's own login form
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.get_by_label("Email").fill(operator.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # when they search the bounties for the distinctive title
    page.get_by_role("rowheader", name="Bounties", exact=True).get_by_role("link").click()
    expect(page.get_by_role("heading", name="Select bounty to change")).to_be_visible()
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(3)
    page.locator("#searchbar").fill(DISTINCTIVE_TITLE)
    page.get_by_role("button", name="Search").click()

    # then the result list holds that bounty alone
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(DISTINCTIVE_TITLE)

    # when they tick it and run the cancel action
    rows.first.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Cancel selected bounties")
    page.get_by_role("button", name="Go").click()

    # then the site says so, the row shows it, and the database holds it
    expect(page.locator("ul.messagelist li.success")).to_have_text("1 bounties cancelled.")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Cancelled")
    assert Bounty.objects.get(pk=bounties.pk).status == Bounty.Status.CANCELLED

    # when they look the bounty up in the activity log
    page.goto(f"{live_server.url}/admin/accounts/activitylog/")
    expect(page.get_by_role("heading", name="Select activity log to view")).to_be_visible()
    expect(rows.filter(has_text="auth.admin_login")).to_have_count(1)
    page.locator("#searchbar").fill(str(bounties.pk))
    page.get_by_role("button", name="Search").click()

    # then the status change is the one entry about it (their sign-in, listed before, is gone), by them
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bounty.status_changed")
    expect(rows.first).to_contain_text(operator.email)
    expect(rows.first).to_contain_text(str(bounties.pk))
    entry = ActivityLog.objects.get(action="bounty.status_changed", target_id=str(bounties.pk))
    assert (entry.actor, entry.metadata) == (operator, {"from": "open", "to": "cancelled", "moderation": True})
