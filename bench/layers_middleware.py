"""The middleware of the stack before issue 13, for comparison in bench/layers.py: the global ceiling
counted in the shared store on every request (a batch of 1), and Django's admin-site middleware on
every path."""

from blocra.middleware import GetResponse
from blocra.ratelimits import ApiRateLimitMiddleware, LocalRateLimiter


class ExactLimiter(LocalRateLimiter):
    BATCH_FRACTION = 10**12  # a batch of 1: every request is added to the store at once


class ExactApiRateLimitMiddleware(ApiRateLimitMiddleware):
    def __init__(self, get_response: GetResponse) -> None:
        super().__init__(get_response)
        self.limiter = ExactLimiter("api")
