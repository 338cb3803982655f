"""The client's address (blocra.client_ip): X-Forwarded-For only from a trusted proxy (TRUSTED_PROXIES),
read from the right past trusted proxies, never by hop count."""

import pytest
from django.test import RequestFactory

from blocra.client_ip import UNKNOWN_IP, client_ip, parse_address, parse_trusted_proxies
from tests.factories import TEST_PASSWORD, UserFactory

LOOPBACK = ["127.0.0.1/32", "::1/128", "unix"]


def request_from(peer: str, forwarded: str | None = None):
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return RequestFactory().get("/api/anything", REMOTE_ADDR=peer, **headers)


@pytest.fixture
def proxies(settings):
    def trust(*entries: str) -> None:
        settings.TRUSTED_PROXIES = list(entries)

    return trust


def test_client_ip_default_trusts_only_loopback(settings):
    assert settings.TRUSTED_PROXIES == LOOPBACK
    assert client_ip(request_from("127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("::1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("198.51.100.20", "203.0.113.7")) == "198.51.100.20"


def test_client_ip_ignores_forwarded_header_from_a_peer_that_is_no_proxy(proxies):
    # given no proxy in front: the client talks to us directly and forges the header
    proxies("10.0.0.0/8")
    # then its own address counts, whatever the header says, however many hops it lists
    assert client_ip(request_from("198.51.100.20", "203.0.113.7")) == "198.51.100.20"
    assert client_ip(request_from("198.51.100.20", "203.0.113.7, 10.0.0.1, 10.0.0.2")) == "198.51.100.20"


def test_client_ip_takes_the_right_most_address_a_trusted_proxy_appended(proxies):
    proxies("127.0.0.1")
    # The client sent "1.2.3.4" itself; nginx appended the address it saw.
    assert client_ip(request_from("127.0.0.1", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("127.0.0.1", " 203.0.113.7 ")) == "203.0.113.7"


def test_client_ip_walks_a_chain_of_trusted_proxies(proxies):
    # given a load balancer (10.0.0.0/8) in front of nginx on loopback
    proxies("127.0.0.1/32", "10.0.0.0/8")
    chain = "6.6.6.6, 203.0.113.7, 10.1.0.5, 10.0.0.2"
    # then the walk skips every trusted hop and stops at the first address that is not one
    assert client_ip(request_from("127.0.0.1", chain)) == "203.0.113.7"
    # the same chain through an untrusted peer is not believed at all
    assert client_ip(request_from("192.0.2.1", chain)) == "192.0.2.1"


def test_client_ip_chain_of_only_proxies_is_its_left_most_entry(proxies):
    proxies("127.0.0.1", "10.0.0.0/8")
    assert client_ip(request_from("127.0.0.1", "10.0.0.9, 10.0.0.2")) == "10.0.0.9"


def test_client_ip_stops_at_an_entry_that_is_not_an_address(proxies):
    proxies("127.0.0.1", "10.0.0.0/8")
    # the last address known before the bad entry is the client
    assert client_ip(request_from("127.0.0.1", "203.0.113.7, unknown, 10.0.0.2")) == "10.0.0.2"
    assert client_ip(request_from("127.0.0.1", "203.0.113.7, unknown")) == "127.0.0.1"
    # empty entries are only spacing
    assert client_ip(request_from("127.0.0.1", "203.0.113.7,, ")) == "203.0.113.7"


def test_client_ip_with_ipv6_peers_proxies_and_clients(proxies):
    proxies("::1/128", "2001:db8:ffff::/48")
    chain = "2001:db8:1::7, 2001:db8:ffff::2"
    assert client_ip(request_from("::1", chain)) == "2001:db8:1::7"
    assert client_ip(request_from("2001:db8:ffff:0:1::1", chain)) == "2001:db8:1::7"
    assert client_ip(request_from("2001:db8:fffe::1", chain)) == "2001:db8:fffe::1"
    # a port, brackets and a zone, as some proxies write them
    assert client_ip(request_from("::1", "[2001:db8:1::7]:443")) == "2001:db8:1::7"
    assert client_ip(request_from("::1", "203.0.113.7:51234")) == "203.0.113.7"


def test_client_ip_cidr_bounds_are_exact(proxies):
    proxies("192.0.2.0/30")
    assert client_ip(request_from("192.0.2.3", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("192.0.2.4", "203.0.113.7")) == "192.0.2.4"


def test_client_ip_ipv4_mapped_peer_is_its_ipv4_address(proxies):
    # gunicorn bound to [::] sees IPv4 peers as ::ffff:a.b.c.d
    proxies("127.0.0.1/32")
    assert client_ip(request_from("::ffff:127.0.0.1", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("::ffff:198.51.100.20", "203.0.113.7")) == "198.51.100.20"


def test_client_ip_unix_socket_peer_is_a_proxy_only_when_listed(proxies):
    # gunicorn on a Unix socket leaves REMOTE_ADDR empty
    proxies("127.0.0.1", "unix")
    assert client_ip(request_from("", "203.0.113.7")) == "203.0.113.7"
    assert client_ip(request_from("", "")) == UNKNOWN_IP
    proxies("127.0.0.1")
    assert client_ip(request_from("", "203.0.113.7")) == UNKNOWN_IP


def test_client_ip_empty_list_believes_no_header(proxies):
    proxies()
    assert client_ip(request_from("127.0.0.1", "203.0.113.7")) == "127.0.0.1"
    assert client_ip(request_from("", "203.0.113.7")) == UNKNOWN_IP


def test_client_ip_unreadable_peer_is_unknown(proxies):
    proxies("127.0.0.1")
    assert client_ip(request_from("not-an-address", "203.0.113.7")) == UNKNOWN_IP


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("203.0.113.7:8080", "203.0.113.7"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("fe80::1%eth0", "fe80::1"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("unknown", None),
        ("", None),
        ("[2001:db8::1", None),
        ("203.0.113.256", None),
    ],
)
def test_parse_address_reads_what_proxies_write(text, expected):
    address = parse_address(text)
    assert (str(address) if address is not None else None) == expected


def test_parse_trusted_proxies_reads_networks_addresses_and_unix():
    trusted = parse_trusted_proxies(["10.0.0.0/8", " 192.0.2.1 ", "2001:db8::/32", "UNIX"])
    assert [str(network) for network in trusted.networks] == ["10.0.0.0/8", "192.0.2.1/32", "2001:db8::/32"]
    assert trusted.unix_socket is True
    assert parse_trusted_proxies([]).unix_socket is False


@pytest.mark.parametrize("entry", ["10.0.0.1/8", "localhost", "10.0.0.0/33", "*", ""])
def test_parse_trusted_proxies_refuses_anything_else(entry):
    with pytest.raises(ValueError, match="is not an address"):
        parse_trusted_proxies(["127.0.0.1", entry])


@pytest.mark.django_db
def test_client_ip_rotating_forged_header_does_not_defeat_a_per_client_limit(api_client, settings, fake_clock):
    # given the audit's attack: a client with no proxy in front sends a new X-Forwarded-For each time
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    settings.LOGIN_RATE_LIMIT_IP = "3/m"
    UserFactory(email="ada@example.com")

    def attempt(n: int):
        return api_client.post(
            "/api/auth/login",
            {"email": f"user{n}@example.com", "password": TEST_PASSWORD},
            format="json",
            REMOTE_ADDR="198.51.100.20",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    # when it fails past the per-client limit
    statuses = [attempt(n).status_code for n in range(5)]
    # then it is refused all the same: the header was never believed
    assert statuses == [401, 401, 401, 429, 429]
