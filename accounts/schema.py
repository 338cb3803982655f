"""OpenAPI description of the bearer JWT authentication (drf-spectacular extension)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.BearerJWTAuthentication"
    name = "jwtAuth"
