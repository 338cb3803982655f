"""GET /metrics in one process: who may read it, what it counts (requests, database statements, Starknet
operations) and what it leaves out. The several-worker case is tests/blocra/test_metrics_gunicorn.py."""

import uuid

import pytest
from django.db import DatabaseError, connection, connections
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from blocra import metrics, starknet
from tests.bulkhead import chain_slots_held

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef0123456789"
OUTSIDER = "203.0.113.7"


def sample(name: str, **labels: str) -> float:
    """A sample of this process's registry, 0 when it was never counted."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def requests_counted(route: str, method: str = "GET", status: str = "200") -> float:
    return sample("blocra_http_requests_total", route=route, method=method, status=status)


def scrape(client, **extra):
    return client.get("/metrics", **extra)


# --- Who may read it --------------------------------------------------------------------------------


def test_metrics_answers_prometheus_text_to_loopback(client, django_assert_num_queries):
    # given: one request served before the scrape
    client.get("/api")

    # when: asked from 127.0.0.1 (the test client's address), with no query at all
    with django_assert_num_queries(0):
        response = scrape(client)

    # then: Prometheus' text format, every family parseable, the request among them
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert response["Cache-Control"] == "no-store"
    families = {family.name: family for family in text_string_to_metric_families(response.content.decode())}
    assert {
        "blocra_http_requests",
        "blocra_http_errors",
        "blocra_http_request_duration_seconds",
        "blocra_http_requests_in_progress",
        "blocra_db_query_duration_seconds",
        "blocra_db_query_errors",
        "blocra_db_connections_opened",
        "blocra_starknet_operations",
        "blocra_starknet_operation_duration_seconds",
        "blocra_starknet_node_attempts",
    } <= set(families)
    served = [s for s in families["blocra_http_requests"].samples if s.labels.get("route") == "api"]
    assert served and served[0].value >= 1


def test_metrics_answers_openmetrics_when_asked(client):
    response = scrape(client, HTTP_ACCEPT="application/openmetrics-text; version=1.0.0")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.decode().rstrip().endswith("# EOF")


def test_metrics_refuses_an_address_outside_the_allowed_networks(client):
    response = scrape(client, REMOTE_ADDR=OUTSIDER)
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "message": "Metrics are served to allowed addresses or with the metrics token.",
        "code": "auth.forbidden",
    }


def test_metrics_judges_the_client_a_trusted_proxy_forwards(client):
    # nginx on loopback forwarding a request from the internet: the client is the outsider
    response = scrape(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDER)
    assert response.status_code == 403


def test_metrics_ignores_a_forwarded_address_from_an_untrusted_peer(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    response = scrape(client, REMOTE_ADDR=OUTSIDER, HTTP_X_FORWARDED_FOR="10.1.2.3")
    assert response.status_code == 403


def test_metrics_answers_an_allowed_network(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "2001:db8::/32"]
    assert scrape(client, REMOTE_ADDR="10.20.30.40").status_code == 200
    assert scrape(client, REMOTE_ADDR="2001:db8::5").status_code == 200
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 403


def test_metrics_answers_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN
    response = scrape(client, REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert b"blocra_http_requests_total" in response.content


@pytest.mark.parametrize(
    "authorization",
    [None, f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer "],
)
def test_metrics_refuses_a_wrong_or_missing_token(client, settings, authorization):
    settings.METRICS_TOKEN = TOKEN
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    assert scrape(client, REMOTE_ADDR=OUTSIDER, **extra).status_code == 403


def test_metrics_without_a_token_setting_refuses_any_bearer(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client, REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_metrics_answers_a_unix_socket_peer_only_when_listed(client, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "unix"]
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1/32"]
    assert scrape(client, REMOTE_ADDR="").status_code == 403
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1/32", "unix"]
    assert scrape(client, REMOTE_ADDR="").status_code == 200
    # nginx on the socket forwarding an outsider: judged by the outsider's address
    assert scrape(client, REMOTE_ADDR="", HTTP_X_FORWARDED_FOR=OUTSIDER).status_code == 403


def test_metrics_switched_off_is_not_found(client, settings):
    settings.METRICS_ENABLED = False
    response = scrape(client)
    assert response.status_code == 404
    assert response.json()["code"] == "request.not_found"


def test_metrics_answers_get_only(client):
    response = client.post("/metrics")
    assert response.status_code == 405
    assert response.json()["code"] == "request.method_not_allowed"


def test_metrics_is_not_under_the_api_rate_limit(client, settings, fake_clock):
    settings.API_RATE_LIMIT = "2/m"
    assert [scrape(client).status_code for _ in range(5)] == [200] * 5


# --- What it counts ---------------------------------------------------------------------------------


def test_metrics_requests_are_counted_by_url_pattern_never_the_raw_path(client):
    route = "api/bounties/<uuid:pk>"
    before = requests_counted(route, status="404")
    errors_before = sample("blocra_http_errors_total", route=route, method="GET", status_class="4xx")

    for _ in range(3):
        assert client.get(f"/api/bounties/{uuid.uuid4()}").status_code == 404

    assert requests_counted(route, status="404") == before + 3
    assert sample("blocra_http_errors_total", route=route, method="GET", status_class="4xx") == errors_before + 3
    assert sample("blocra_http_request_duration_seconds_count", route=route, method="GET") >= 3


def test_metrics_unknown_paths_and_methods_add_no_label_values(client):
    unmatched_before = requests_counted(metrics.UNMATCHED_ROUTE, status="404")
    other_before = sample("blocra_http_requests_total", route="api", method="other", status="405")

    client.get(f"/no-such-page-{uuid.uuid4()}")
    client.generic("BREW", "/api")

    assert requests_counted(metrics.UNMATCHED_ROUTE, status="404") == unmatched_before + 1
    assert sample("blocra_http_requests_total", route="api", method="other", status="405") == other_before + 1
    body = scrape(client).content.decode()
    assert "no-such-page" not in body
    assert "BREW" not in body


def test_metrics_a_request_refused_before_routing_has_its_route(client, settings, fake_clock):
    # the API's rate limit answers before URL resolution; the route is still the pattern's
    settings.API_RATE_LIMIT = "1/m"
    before = requests_counted("api/bounties", status="429")
    client.get("/api/bounties", REMOTE_ADDR="198.51.100.9")
    client.get("/api/bounties", REMOTE_ADDR="198.51.100.9")
    assert requests_counted("api/bounties", status="429") == before + 1


@pytest.mark.urls("tests.blocra.failing_urls")
def test_metrics_server_errors_are_counted_as_5xx(client):
    client.raise_request_exception = False
    route = "api/test-failing-view"
    before = sample("blocra_http_errors_total", route=route, method="GET", status_class="5xx")
    assert client.get("/api/test-failing-view").status_code == 500
    assert sample("blocra_http_errors_total", route=route, method="GET", status_class="5xx") == before + 1
    assert requests_counted(route, status="500") >= 1


def test_metrics_scrapes_are_not_counted_among_requests(client):
    scrape(client)
    scrape(client)
    body = scrape(client).content.decode()
    assert 'route="metrics"' not in body
    assert requests_counted("metrics") == 0


def test_metrics_requests_in_progress_is_back_to_zero_after_each(client):
    client.get("/api")
    assert sample("blocra_http_requests_in_progress") == 0


def test_metrics_sql_statements_of_a_request_are_timed_per_database(client):
    labels = {"alias": "default", "vendor": connection.vendor}
    before = sample("blocra_db_query_duration_seconds_count", **labels)
    assert client.get("/api/bounties").status_code == 200
    assert sample("blocra_db_query_duration_seconds_count", **labels) > before


def test_metrics_failed_sql_statements_are_counted_by_error_class(client):
    labels = {"alias": "default", "vendor": connection.vendor}
    with metrics.db_queries_observed():
        before = sample("blocra_db_query_duration_seconds_count", **labels)
        errors = {s.labels["error"]: s.value for s in _registry_samples("blocra_db_query_errors")}
        with pytest.raises(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT * FROM blocra_no_such_table")
    after = {s.labels["error"]: s.value for s in _registry_samples("blocra_db_query_errors")}
    grown = {name for name, value in after.items() if value > errors.get(name, 0)}
    assert len(grown) == 1 and grown <= {"OperationalError", "ProgrammingError"}
    assert sample("blocra_db_query_duration_seconds_count", **labels) == before + 1


def test_metrics_sql_statements_outside_the_block_are_not_timed():
    labels = {"alias": "default", "vendor": connection.vendor}
    before = sample("blocra_db_query_duration_seconds_count", **labels)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert sample("blocra_db_query_duration_seconds_count", **labels) == before


def test_metrics_opened_database_connections_are_counted():
    labels = {"alias": "default", "vendor": connection.vendor}
    before = sample("blocra_db_connections_opened_total", **labels)
    fresh = connections.create_connection("default")
    try:
        fresh.ensure_connection()
    finally:
        fresh.close()
    assert sample("blocra_db_connections_opened_total", **labels) == before + 1


# --- Starknet ---------------------------------------------------------------------------------------


def operations(operation: str, outcome: str) -> float:
    return sample("blocra_starknet_operations_total", operation=operation, outcome=outcome)


def attempts(node: str, outcome: str) -> float:
    return sample("blocra_starknet_node_attempts_total", node=node, outcome=outcome)


def node_label(node) -> str:
    return starknet.transport.redacted(node.url)


def test_metrics_starknet_operations_count_their_outcome_and_time(starknet_node):
    before_ok = operations("get_block_number", "ok")
    before_count = sample("blocra_starknet_operation_duration_seconds_count", operation="get_block_number")
    before_node = attempts(node_label(starknet_node), "ok")

    starknet.get_block_number()

    assert operations("get_block_number", "ok") == before_ok + 1
    assert sample("blocra_starknet_operation_duration_seconds_count", operation="get_block_number") == before_count + 1
    assert attempts(node_label(starknet_node), "ok") == before_node + 1


def test_metrics_starknet_chain_answers_are_not_node_trouble(starknet_node):
    before = operations("get_transaction_receipt", "chain_answer")
    with pytest.raises(starknet.TransactionNotFound):
        starknet.get_transaction_receipt(0x1234)
    assert operations("get_transaction_receipt", "chain_answer") == before + 1


@pytest.mark.parametrize(("status", "outcome"), [(503, "unavailable"), (500, "bad_response")])
def test_metrics_starknet_node_trouble_is_counted_by_kind(starknet_node, status, outcome):
    before = operations("get_block_number", outcome)
    before_node = attempts(node_label(starknet_node), outcome)
    starknet_node.fail(status, times=1)
    with pytest.raises(starknet.NodeError):
        starknet.get_block_number()
    assert operations("get_block_number", outcome) == before + 1
    assert attempts(node_label(starknet_node), outcome) == before_node + 1


def test_metrics_starknet_timeouts_and_open_circuits_are_counted(starknet_node, settings, fake_clock):
    # given: a hung node, a short timeout and a breaker that opens after one timeout
    settings.STARKNET_RPC_TIMEOUT = 0.2
    settings.STARKNET_BREAKER_THRESHOLD = 1
    settings.STARKNET_BREAKER_COOLDOWN = 30.0
    starknet_node.hang(5)
    node = node_label(starknet_node)
    timeouts, skipped = operations("get_block_number", "timeout"), operations("get_block_number", "breaker_open")
    node_timeouts, node_skipped = attempts(node, "timeout"), attempts(node, "breaker_open")

    # when: one operation times out, the next finds the circuit open
    with pytest.raises(starknet.NodeTimeout):
        starknet.get_block_number()
    with pytest.raises(starknet.NodeCircuitOpen):
        starknet.get_block_number()

    # then
    assert operations("get_block_number", "timeout") == timeouts + 1
    assert operations("get_block_number", "breaker_open") == skipped + 1
    assert attempts(node, "timeout") == node_timeouts + 1
    assert attempts(node, "breaker_open") == node_skipped + 1


def test_metrics_starknet_busy_refusals_are_counted(starknet_node, settings):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    before = operations("get_block_number", "busy")
    with chain_slots_held(1), pytest.raises(starknet.NodeBusy):
        starknet.get_block_number()
    assert operations("get_block_number", "busy") == before + 1


def test_metrics_starknet_node_label_never_carries_a_path_or_key(make_starknet_node, settings):
    node = make_starknet_node()
    settings.STARKNET_RPC_URLS = [f"{node.url}?apikey=secret-key"]
    starknet.get_block_number()
    body = "\n".join(
        f"{s.name}{s.labels}" for family in REGISTRY.collect() for s in family.samples if "starknet" in s.name
    )
    assert "secret-key" not in body
    assert "/rpc" not in body


# --- Helpers ----------------------------------------------------------------------------------------


def _registry_samples(family_name: str):
    for family in REGISTRY.collect():
        if family.name == family_name:
            return [s for s in family.samples if s.name.endswith("_total")]
    return []
