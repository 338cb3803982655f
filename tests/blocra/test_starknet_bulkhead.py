"""The Starknet client's bulkhead: the per-machine cap on concurrent chain calls (slots) and the circuit
breaker that skips a node after repeated timeouts. Real threads and processes where sharing matters;
the breaker's cool-down moves with the fake clock."""

import logging
import multiprocessing
import threading

import pytest

from blocra import starknet
from blocra.starknet.breaker import circuit_record, circuit_wait
from tests.bulkhead import chain_slots_held

NODE = "http://127.0.0.1:1/rpc/v0_10?key=secret"


def forked(target, *args) -> multiprocessing.Process:
    """Run `target(*args)` in a forked child process (it inherits settings and the test's clock)."""
    process = multiprocessing.get_context("fork").Process(target=target, args=args, daemon=True)
    process.start()
    return process


# --- The cap on concurrent chain calls --------------------------------------------------------------


def test_chain_slot_admits_as_many_threads_as_the_cap_and_refuses_the_rest(settings):
    # given: a cap of 2 and 5 threads asking at the same moment, each keeping its slot
    settings.STARKNET_MAX_CONCURRENT_CALLS = 2
    barrier, decided, release = threading.Barrier(5), threading.Semaphore(0), threading.Event()
    admitted, refused = [], []

    def call(index: int) -> None:
        barrier.wait(timeout=10)
        try:
            with starknet.chain_slot():
                admitted.append(index)
                decided.release()
                release.wait(timeout=10)
        except starknet.NodeBusy as exc:
            refused.append(exc)
            decided.release()

    threads = [threading.Thread(target=call, args=(index,)) for index in range(5)]
    for thread in threads:
        thread.start()

    # when: every thread has been admitted or refused, the admitted ones still holding their slots
    for _ in threads:
        assert decided.acquire(timeout=10)
    release.set()
    for thread in threads:
        thread.join(timeout=10)

    # then
    assert len(admitted) == 2
    assert len(refused) == 3
    assert all(exc.retry_after == 1 for exc in refused)
    # and the slots are free again
    with chain_slots_held(2):
        pass


def _hold_slot(held, release) -> None:
    with starknet.chain_slot():
        held.set()
        release.wait(60)


def test_chain_slot_is_shared_with_other_processes_and_freed_when_one_dies(settings):
    # given: another worker process holds the only slot
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    worker = forked(_hold_slot, held, release)
    assert held.wait(10)

    # when / then: this process is refused while it lives
    with pytest.raises(starknet.NodeBusy), starknet.chain_slot():
        pass

    # when: the worker is killed without cleaning up (as gunicorn kills a stuck worker)
    worker.kill()
    worker.join(10)

    # then: the operating system released its slot
    with starknet.chain_slot():
        pass


def test_chain_slot_is_reentrant_within_a_thread(settings):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    # a second slot in the same thread would be refused: the only one is taken
    with starknet.chain_slot(), starknet.chain_slot():
        pass
    # released once, at the end: another thread takes it, and this one is refused meanwhile
    with chain_slots_held(1), pytest.raises(starknet.NodeBusy), starknet.chain_slot():
        pass


def test_chain_slot_cap_zero_turns_the_cap_off(settings):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 0
    with chain_slots_held(5), starknet.chain_slot():
        pass


def test_chain_slot_with_an_unusable_directory_lets_calls_through(settings, tmp_path, caplog):
    # given: the state directory's path is a file
    (tmp_path / "not-a-directory").write_text("")
    settings.STARKNET_STATE_DIR = tmp_path / "not-a-directory"
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1

    # when / then: a broken bulkhead does not stop chain calls; it is logged
    with caplog.at_level(logging.ERROR, logger="blocra.starknet"), starknet.chain_slot():
        pass
    assert "unusable" in caplog.text


def test_operation_with_every_slot_in_use_fails_at_once_without_asking_the_node(starknet_node, settings):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 2
    with chain_slots_held(2), pytest.raises(starknet.NodeBusy):
        starknet.get_block_number()
    assert starknet_node.methods == []
    assert starknet.get_block_number() == 0


def test_operation_releases_its_slot_after_node_trouble(starknet_node, settings):
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    starknet_node.fail(503, times=1)
    with pytest.raises(starknet.NodeUnavailable):
        starknet.get_block_number()
    assert starknet.get_block_number() == 0


# --- The circuit breaker ----------------------------------------------------------------------------


@pytest.fixture
def breaker(settings, fake_clock):
    settings.STARKNET_BREAKER_THRESHOLD = 3
    settings.STARKNET_BREAKER_COOLDOWN = 30.0
    settings.STARKNET_RPC_TIMEOUT = 5.0
    return fake_clock


def test_circuit_opens_after_threshold_timeouts_in_a_row(breaker):
    for _ in range(2):
        assert circuit_record(NODE, timed_out=True) is False
        assert circuit_wait(NODE) is None
    assert circuit_record(NODE, timed_out=True) is True
    assert circuit_wait(NODE) == pytest.approx(30.0)
    breaker.advance(10)
    assert circuit_wait(NODE) == pytest.approx(20.0)


def test_circuit_any_answer_resets_the_count(breaker):
    circuit_record(NODE, timed_out=True)
    circuit_record(NODE, timed_out=True)
    circuit_record(NODE, timed_out=False)
    circuit_record(NODE, timed_out=True)
    circuit_record(NODE, timed_out=True)
    assert circuit_wait(NODE) is None


def test_circuit_is_per_node(breaker):
    for _ in range(3):
        circuit_record(NODE, timed_out=True)
    assert circuit_wait("http://127.0.0.1:2/rpc/v0_10") is None


def test_circuit_after_the_cooldown_admits_one_probe_at_a_time(breaker, settings):
    # given: an open circuit whose cool-down has passed
    for _ in range(3):
        circuit_record(NODE, timed_out=True)
    breaker.advance(30)

    # when / then: the first caller probes; the others still skip the node until the probe's time is up
    assert circuit_wait(NODE) is None
    assert circuit_wait(NODE) == pytest.approx(settings.STARKNET_RPC_TIMEOUT + 1)
    breaker.advance(settings.STARKNET_RPC_TIMEOUT + 1)
    # a probe that never reported (its worker died) is replaced
    assert circuit_wait(NODE) is None


def test_circuit_probe_answer_closes_it(breaker):
    for _ in range(3):
        circuit_record(NODE, timed_out=True)
    breaker.advance(30)
    assert circuit_wait(NODE) is None
    circuit_record(NODE, timed_out=False)
    assert circuit_wait(NODE) is None
    assert circuit_wait(NODE) is None
    # closed for good: it takes the threshold again to open it
    circuit_record(NODE, timed_out=True)
    assert circuit_wait(NODE) is None


def test_circuit_probe_timeout_opens_it_for_another_cooldown(breaker):
    for _ in range(3):
        circuit_record(NODE, timed_out=True)
    breaker.advance(30)
    assert circuit_wait(NODE) is None
    assert circuit_record(NODE, timed_out=True) is True
    assert circuit_wait(NODE) == pytest.approx(30.0)


def test_circuit_threshold_zero_turns_the_breaker_off(breaker, settings):
    settings.STARKNET_BREAKER_THRESHOLD = 0
    for _ in range(10):
        circuit_record(NODE, timed_out=True)
    assert circuit_wait(NODE) is None


def test_circuit_state_never_names_the_node(breaker, settings):
    for _ in range(3):
        circuit_record(NODE, timed_out=True)
    stored = "".join(path.read_text() for path in settings.STARKNET_STATE_DIR.iterdir())
    assert "secret" not in stored and "127.0.0.1" not in stored


def _time_out(url: str, times: int) -> None:
    for _ in range(times):
        circuit_record(url, timed_out=True)


def test_circuit_is_shared_with_other_processes(breaker):
    # when: another worker process sees the node time out three times
    worker = forked(_time_out, NODE, 3)
    worker.join(10)
    assert worker.exitcode == 0

    # then: this process skips the node too
    assert circuit_wait(NODE) == pytest.approx(30.0, abs=1)


def test_circuit_with_an_unusable_directory_uses_the_node(breaker, settings, tmp_path, caplog):
    (tmp_path / "not-a-directory").write_text("")
    settings.STARKNET_STATE_DIR = tmp_path / "not-a-directory"
    with caplog.at_level(logging.ERROR, logger="blocra.starknet"):
        for _ in range(3):
            circuit_record(NODE, timed_out=True)
        assert circuit_wait(NODE) is None
    assert "unusable" in caplog.text


# --- The breaker in the client ----------------------------------------------------------------------


def test_hung_node_is_skipped_after_repeated_timeouts(starknet_node, breaker, settings):
    # given: a node that hangs, and a short timeout
    settings.STARKNET_RPC_TIMEOUT = 0.2
    settings.STARKNET_BREAKER_THRESHOLD = 2
    starknet_node.hang(5)
    for _ in range(2):
        with pytest.raises(starknet.NodeTimeout):
            starknet.get_block_number()
    asked = len(starknet_node.methods)

    # when
    with pytest.raises(starknet.NodeUnavailable) as caught:
        starknet.get_block_number()

    # then: refused without waiting on the node, with the rest of the cool-down to wait
    assert type(caught.value) is starknet.NodeCircuitOpen  # a NodeUnavailable: 503 starknet.unavailable
    assert caught.value.retry_after == 30
    assert len(starknet_node.methods) == asked

    # and after the cool-down, with the node repaired, one probe closes the circuit
    starknet_node.repair()
    breaker.advance(30)
    assert starknet.get_block_number() == 0
    assert starknet.get_block_number() == 0


def test_fast_node_trouble_never_opens_the_circuit(starknet_node, breaker):
    starknet_node.fail(503)
    for _ in range(5):
        with pytest.raises(starknet.NodeUnavailable):
            starknet.get_block_number()
    assert len(starknet_node.methods) == 5


def test_failover_skips_a_node_with_an_open_circuit(make_starknet_node, breaker, settings):
    # given: the first node hangs, the second answers; one timeout opens a circuit
    hung, healthy = make_starknet_node(), make_starknet_node()
    hung.hang(5)
    healthy.chain.mine_blocks(3)
    settings.STARKNET_RPC_URLS = [hung.url, healthy.url]
    settings.STARKNET_RPC_TIMEOUT = 0.3
    settings.STARKNET_BREAKER_THRESHOLD = 1
    assert starknet.get_block_number() == 3  # waited one timeout on the hung node
    asked = len(hung.methods)

    # when
    number = starknet.get_block_number()

    # then: straight to the healthy node, the hung one not asked (no timeout waited)
    assert number == 3
    assert len(hung.methods) == asked
