"""The OpenAPI 3 schema validates, and Swagger UI renders from local assets."""

import pytest
import yaml
from django.conf import settings
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_is_valid_openapi3(client):
    response = client.get("/api/schema")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/feedback/submit" in schema["paths"]


def test_docs_render_swagger_ui_without_cdn(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "SwaggerUIBundle" in html or "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html


def test_schema_generation_has_no_warnings(tmp_path):
    # Every endpoint documented: drf-spectacular warns about views it cannot describe.
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_description_documents_the_websocket_protocol(client):
    """The React app reads the socket protocol from the schema: paths, credentials, every close code."""
    from blocra.consumers import SUBPROTOCOL
    from blocra.realtime import Close

    description = yaml.safe_load(client.get("/api/schema").content)["info"]["description"]
    readme = (settings.BASE_DIR / "README.md").read_text()

    for text in (description, readme):
        for needed in ("/ws/notifications", "/ws/bounties/{id}", SUBPROTOCOL, '"bearer." + accessToken', "?ticket="):
            assert needed in text
        for code in Close:
            assert str(code.value) in text, f"close code {code.name} ({code.value}) is not documented"
