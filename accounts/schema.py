"""OpenAPI description of our bearer authentication (drf-spectacular extension, loaded by AccountsConfig)."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class BearerJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.BearerJWTAuthentication"
    name = "jwtAuth"
