"""The sign-in lock-out rule, one for the API's email sign-in and the admin site's login.

Only failed sign-ins count (wrong password, unknown email, no password, disabled account); a success
is taken back. A client (its address; an IPv6 client's /64 network) is refused, before its password is
checked:

1. after `LOGIN_RATE_LIMIT_IP` failures of its own, on any addresses;
2. on one email address, after `LOGIN_RATE_LIMIT_EMAIL` failures of its own on that address;
3. on an address under attack (more than `LOGIN_RATE_LIMIT_ACCOUNT` failures on it from all clients
   within that limit's period), after one failure of its own on it within that period.

A client that has not been failing on an address is never refused for it, so nobody can lock the owner
out: the owner's right password, from an address that has not been guessing, signs in however many
others fail on the account. The price: a guesser with many addresses gets one guess per address and
period once an account is under attack. A refusal comes before the account is looked up or any password
hashed and reads the same for every email address, registered or not, so it tells nothing about the
password or the account. Every attempt is counted before it is checked and taken back when it turns out
not to be a failure, so concurrent guesses cannot all slip under a limit.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest
from rest_framework.exceptions import Throttled

from blocra.ratelimits import Usage, client_key, parse_rate, rate_limit_refund, rate_limit_usage


@contextmanager
def signin_attempt(request: HttpRequest, *, email: str) -> Iterator[None]:
    """Count one sign-in attempt on `email` from this request's client. Raises Throttled (429 with
    Retry-After, `request.rate_limited`) when the rule refuses it; then the block does not run. A block
    that completes is a success and takes the attempt back; one that raises leaves it counted."""
    counted: list[Usage] = []

    def count(group: str, key: str, rate: str) -> Usage | None:
        usage = rate_limit_usage(request, group=group, key=key, rate=rate) if rate else None
        if usage is not None:
            counted.append(usage)
        return usage

    wait = _refusal(request, email=email.strip().lower(), count=count)
    if wait is not None:
        _take_back(counted)
        raise Throttled(wait=wait)
    yield
    _take_back(counted)


def _refusal(request: HttpRequest, *, email: str, count: Callable[[str, str, str], Usage | None]) -> int | None:
    """Seconds until the client may try again when the rule refuses this attempt, else None."""
    by_client = count("auth.login.ip", "ip", settings.LOGIN_RATE_LIMIT_IP)
    if by_client is not None and by_client.should_limit:
        return by_client.time_left
    pair = f"email:{email} client:{client_key(request)}"
    by_pair = count("auth.login.email", pair, settings.LOGIN_RATE_LIMIT_EMAIL)
    if by_pair is not None and by_pair.should_limit:
        return by_pair.time_left
    if settings.LOGIN_RATE_LIMIT_ACCOUNT:
        _, period = parse_rate(settings.LOGIN_RATE_LIMIT_ACCOUNT)
        by_account = count("auth.login.account", f"email:{email}", settings.LOGIN_RATE_LIMIT_ACCOUNT)
        # At most one failure per client and period on an account under attack.
        by_pair_in_period = count("auth.login.account_client", pair, f"1/{period}s")
        if by_account and by_pair_in_period and by_account.should_limit and by_pair_in_period.should_limit:
            return min(by_account.time_left, by_pair_in_period.time_left)
    return None


def _take_back(counted: list[Usage]) -> None:
    for usage in counted:
        rate_limit_refund(usage)
