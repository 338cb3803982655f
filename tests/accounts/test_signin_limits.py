"""The sign-in lock-out rule itself (accounts.signin_limits): what counts, and when it is counted."""

import pytest
from django.test import RequestFactory
from rest_framework.exceptions import Throttled

from accounts.signin_limits import signin_attempt

pytestmark = pytest.mark.django_db


class WrongPassword(Exception):
    pass


def request_from(address: str):
    return RequestFactory().post("/api/auth/login", REMOTE_ADDR=address)


def fail(request, email: str = "ada@example.com") -> None:
    with pytest.raises(WrongPassword), signin_attempt(request, email=email):
        raise WrongPassword


@pytest.fixture(autouse=True)
def _limits(settings, fake_clock):
    # Time stands still: no window may end half-way through a test.
    settings.LOGIN_RATE_LIMIT_IP = "100/m"
    settings.LOGIN_RATE_LIMIT_EMAIL = "1/m"
    settings.LOGIN_RATE_LIMIT_ACCOUNT = "50/h"


def test_signin_attempt_in_flight_is_already_counted():
    # Two concurrent attempts from one client: the second is checked while the first is still being
    # checked, and must not slip under the limit of one.
    request = request_from("198.51.100.7")
    with (
        pytest.raises(Throttled),
        signin_attempt(request, email="ada@example.com"),
        signin_attempt(request, email="ada@example.com"),
    ):
        pytest.fail("the second attempt must be refused")


def test_signin_attempt_block_that_raises_is_a_failure():
    request = request_from("198.51.100.7")
    fail(request)

    with pytest.raises(Throttled), signin_attempt(request, email="ada@example.com"):
        pytest.fail("the client is over its limit")


def test_signin_attempt_block_that_completes_is_taken_back():
    request = request_from("198.51.100.7")
    for _ in range(3):
        with signin_attempt(request, email="ada@example.com"):
            pass

    fail(request)


def test_signin_attempt_refusal_is_not_counted(settings):
    settings.LOGIN_RATE_LIMIT_IP = "2/m"
    request = request_from("198.51.100.7")
    fail(request, "ada@example.com")
    # refused on Ada's address (1/m) many times: none of it counts against the client's 2/m
    for _ in range(5):
        with pytest.raises(Throttled), signin_attempt(request, email="ada@example.com"):
            pass

    fail(request, "bob@example.com")


def test_signin_attempt_email_is_compared_case_insensitively():
    request = request_from("198.51.100.7")
    fail(request, "Ada@Example.com ")

    with pytest.raises(Throttled), signin_attempt(request, email="ada@example.com"):
        pass


def test_signin_attempt_limits_off_count_nothing(settings):
    settings.LOGIN_RATE_LIMIT_IP = ""
    settings.LOGIN_RATE_LIMIT_EMAIL = ""
    settings.LOGIN_RATE_LIMIT_ACCOUNT = ""
    request = request_from("198.51.100.7")
    for _ in range(5):
        fail(request)
