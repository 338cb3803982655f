"""The client's IP address, trusting X-Forwarded-For only as far as the configured proxies reach."""

from django.conf import settings
from django.http import HttpRequest

# Stands for "no address known" (e.g. a Unix-socket peer); never stored as a client's address.
UNKNOWN_IP = "0.0.0.0"  # noqa: S104 - an address value, not a bind


def client_ip(request: HttpRequest) -> str:
    """The address of the client, skipping the `TRUSTED_PROXY_COUNT` proxies nearest to us.

    Each trusted proxy appends the address it received the request from, so the right-most entries
    are trustworthy and anything left of them may be forged by the client.
    """
    remote: str = request.META.get("REMOTE_ADDR", "") or UNKNOWN_IP
    hops = settings.TRUSTED_PROXY_COUNT
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops <= 0 or not forwarded:
        return remote
    chain = [part.strip() for part in forwarded.split(",") if part.strip()]
    if not chain:
        return remote
    return chain[-hops] if len(chain) >= hops else chain[0]
