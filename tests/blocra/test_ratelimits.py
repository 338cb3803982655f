"""Fixed-window rate limits on the shared cache (blocra.ratelimits), with time from the app's clock."""

import pytest
from django.test import RequestFactory

from blocra.ratelimits import client_key, parse_rate, rate_limit_refund, rate_limit_usage

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().get("/api/anything", REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("rate", "expected"), [("10/m", (10, 60)), ("2/3s", (2, 3)), ("100/h", (100, 3600)), ("5/2d", (5, 172800))]
)
def test_parse_rate_reads_count_and_period(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "10", "ten/m", "10/w", "10/m/s"])
def test_parse_rate_refuses_anything_else(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_rate_limit_counts_within_a_window_and_starts_again_after_it(fake_clock):
    request = request_from("198.51.100.7")

    counts = [rate_limit_usage(request, group="t", key="ip", rate="3/m") for _ in range(4)]

    assert [usage.count for usage in counts] == [1, 2, 3, 4]
    assert [usage.should_limit for usage in counts] == [False, False, False, True]
    fake_clock.advance(counts[-1].time_left)
    assert rate_limit_usage(request, group="t", key="ip", rate="3/m").count == 1


def test_rate_limit_keeps_groups_and_clients_apart(fake_clock):
    first, second = request_from("198.51.100.7"), request_from("198.51.100.8")
    rate_limit_usage(first, group="login", key="ip", rate="1/m")

    assert rate_limit_usage(first, group="feedback", key="ip", rate="1/m").count == 1
    assert rate_limit_usage(second, group="login", key="ip", rate="1/m").count == 1
    assert rate_limit_usage(first, group="login", key="ip", rate="1/m").should_limit


def test_rate_limit_by_key_function(fake_clock):
    by_email = lambda group, request: "ada@example.com"  # noqa: E731
    rate_limit_usage(request_from("198.51.100.1"), group="email", key=by_email, rate="1/m")

    assert rate_limit_usage(request_from("198.51.100.2"), group="email", key=by_email, rate="1/m").should_limit


def test_rate_limit_counts_an_ipv6_client_as_its_64_network():
    assert client_key(request_from("2001:db8:1:2:aaaa::1")) == client_key(request_from("2001:db8:1:2:bbbb::9"))
    assert client_key(request_from("2001:db8:1:3::1")) != client_key(request_from("2001:db8:1:2::1"))
    assert client_key(request_from("198.51.100.7")) == "198.51.100.7"


def test_rate_limit_disabled_counts_nothing(settings):
    settings.RATELIMIT_ENABLE = False
    assert rate_limit_usage(request_from("198.51.100.7"), group="t", key="ip", rate="1/m") is None


def test_rate_limit_refund_takes_a_request_back_in_its_window(fake_clock):
    request = request_from("198.51.100.7")
    first = rate_limit_usage(request, group="t", key="ip", rate="2/m")
    second = rate_limit_usage(request, group="t", key="ip", rate="2/m")

    rate_limit_refund(second)

    assert (first.count, second.count) == (1, 2)
    assert rate_limit_usage(request, group="t", key="ip", rate="2/m").count == 2


def test_rate_limit_refund_after_the_window_leaves_the_next_window_alone(fake_clock):
    request = request_from("198.51.100.7")
    old = rate_limit_usage(request, group="t", key="ip", rate="2/m")
    fake_clock.advance(old.time_left)
    current = rate_limit_usage(request, group="t", key="ip", rate="2/m")

    rate_limit_refund(old)

    assert current.count == 1
    assert rate_limit_usage(request, group="t", key="ip", rate="2/m").count == 2
