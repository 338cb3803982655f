"""The OpenAPI schema documents every auth endpoint of the contract this app serves."""

import pytest
import yaml

pytestmark = pytest.mark.django_db

AUTH_OPERATIONS = {
    ("/api/auth/register", "post"),
    ("/api/auth/login", "post"),
    ("/api/auth/google", "post"),
    ("/api/auth/refresh", "post"),
    ("/api/auth/logout", "post"),
    ("/api/auth/me", "get"),
    ("/api/auth/profile", "get"),
    ("/api/auth/profile", "put"),
    ("/api/auth/profile", "patch"),
    ("/api/auth/upload-profile-image", "post"),
    ("/api/auth/oauth/config", "get"),
}


def test_schema_documents_auth_endpoints_with_bearer_security(client):
    schema = yaml.safe_load(client.get("/api/schema").content)
    documented = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert documented >= AUTH_OPERATIONS
    assert schema["components"]["securitySchemes"]["jwtAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert schema["paths"]["/api/auth/me"]["get"]["security"] == [{"jwtAuth": []}]
    upload = schema["paths"]["/api/auth/upload-profile-image"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
