"""blocra/starknet against the local Starknet node: real answers read back through starknet-py."""

import asyncio
import io

import pytest
from django.core.management import CommandError, call_command

from accounts.services.wallet import signin_typed_data
from blocra import starknet
from tests.starknet_node import (
    BLOCK_TIME,
    ERC20_CLASS_HASH,
    FEE,
    GENESIS_TIMESTAMP,
    SEQUENCER,
    STRK,
    TEST_ALICE,
    TEST_BOB,
    TEST_OLD_TOKEN,
    TEST_TOKEN,
    unreachable_url,
)

ALICE, BOB, OLD_TOKEN, TOKEN = TEST_ALICE, TEST_BOB, TEST_OLD_TOKEN, TEST_TOKEN
STRK_HEX = hex(STRK)


def addr(value: int) -> str:
    return hex(value)


# --- Addresses and felts ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0x1", "0xABC", "0x" + "0" * 63 + "1"])
def test_normalize_address_pads_and_lowercases(value):
    assert starknet.normalize_address(value) == f"0x{int(value, 16):064x}"


@pytest.mark.parametrize("value", ["", "0x", "1", "0xg", "0x" + "1" * 65, hex(2**251), 5])
def test_normalize_address_refuses_non_addresses(value):
    with pytest.raises(starknet.InvalidAddress):
        starknet.normalize_address(value)


@pytest.mark.parametrize("value", ["0x0", hex(2**251 - 256)])
def test_normalize_account_address_refuses_zero_and_reserved_range(value):
    with pytest.raises(starknet.InvalidAddress):
        starknet.normalize_account_address(value)


@pytest.mark.parametrize(
    ("text", "value"), [("0x0", 0), ("0x1f", 31), ("31", 31), (hex(starknet.FIELD_PRIME - 1), starknet.FIELD_PRIME - 1)]
)
def test_parse_felt_reads_hex_and_decimal(text, value):
    assert starknet.parse_felt(text) == value


@pytest.mark.parametrize("text", ["", "0x", "-1", "1.5", "0xzz", hex(starknet.FIELD_PRIME), 7, None])
def test_parse_felt_refuses_invalid(text):
    with pytest.raises(ValueError):
        starknet.parse_felt(text)


def test_camel_case():
    assert starknet.camel_case("balance_of") == "balanceOf"
    assert starknet.camel_case("total_supply") == "totalSupply"
    assert starknet.camel_case("name") == "name"


# --- SNIP-12 ----------------------------------------------------------------------------------------


def test_message_hash_matches_the_known_signin_vector(settings):
    # starknet-py 0.30.0 and starknet.js 10.8.0 agree on this hash (docs: starknet-notes.md §3).
    settings.STARKNET_CHAIN_ID = "SN_SEPOLIA"
    settings.STARKNET_SIGNIN_DOMAIN = "blocra.example"
    settings.STARKNET_SIGNIN_URI = "https://blocra.example/login"
    typed = signin_typed_data(address="0x123", nonce="Xk3p9QeWm2Lr8TzA", issued_at=1767225600, expires_at=1767225900)
    assert typed["message"]["statement"] == "Sign in to BlocRA. This does not send a transaction or cost a fee."
    assert starknet.message_hash(typed, "0x123") == 0x6C43FEFDA4DFB449F81A0D153C5D36634396CDCDB5BCDF21CC7546BBB534B88


def test_message_hash_binds_chain_and_account(settings):
    typed = signin_typed_data(address="0x123", nonce="n1", issued_at=1, expires_at=2)
    base = starknet.message_hash(typed, "0x123")
    assert starknet.message_hash(typed, "0x124") != base
    settings.STARKNET_CHAIN_ID = "SN_MAIN"
    assert (
        starknet.message_hash(signin_typed_data(address="0x123", nonce="n1", issued_at=1, expires_at=2), "0x123")
        != base
    )


def test_revision_0_mail_example_hash():
    typed = {
        "types": {
            "StarkNetDomain": [
                {"name": "name", "type": "felt"},
                {"name": "version", "type": "felt"},
                {"name": "chainId", "type": "felt"},
            ],
            "Person": [{"name": "name", "type": "felt"}, {"name": "wallet", "type": "felt"}],
            "Mail": [
                {"name": "from", "type": "Person"},
                {"name": "to", "type": "Person"},
                {"name": "contents", "type": "felt"},
            ],
        },
        "primaryType": "Mail",
        "domain": {"name": "StarkNet Mail", "version": "1", "chainId": "1"},
        "message": {
            "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
            "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
            "contents": "Hello, Bob!",
        },
    }
    assert (
        starknet.message_hash(typed, "0xcd2a3d9f938e13cd947ec05abc7fe734df8dd826")
        == 0x6FCFF244F63E38B9D88B9E3378D44757710D1B244282B435CB472053C8D78D0
    )


# --- ERC-20 -----------------------------------------------------------------------------------------


def test_erc20_metadata_reads_short_strings(chain, starknet_node):
    metadata = starknet.erc20_metadata(STRK_HEX)
    assert metadata == starknet.TokenMetadata(
        address=f"0x{STRK:064x}", name="Starknet Token", symbol="STRK", decimals=18
    )
    assert starknet_node.called_functions() == ["name", "symbol", "decimals"]


def test_erc20_metadata_reads_bytearray_strings(chain):
    metadata = starknet.erc20_metadata(addr(TOKEN))
    assert (metadata.name, metadata.symbol, metadata.decimals) == ("Bounty Reward Token", "BRT", 6)


def test_erc20_metadata_reads_long_bytearray_names(chain):
    chain.deploy_erc20(
        0x7272, name="A token whose name is longer than one felt", symbol="LONG", string_encoding="bytearray"
    )
    assert starknet.erc20_metadata("0x7272").name == "A token whose name is longer than one felt"


def test_erc20_metadata_is_cached_per_chain_and_token(chain, starknet_node, settings):
    starknet.erc20_metadata(STRK_HEX)
    starknet_node.clear_log()
    assert starknet.erc20_metadata("0x" + STRK_HEX[2:].upper()).symbol == "STRK"
    assert starknet_node.methods == []


def test_erc20_metadata_of_a_non_token_is_refused(chain, starknet_node):
    starknet_node.chain.deploy_account(0xACC, public_key=0x1)
    with pytest.raises(starknet.ContractCallReverted):
        starknet.erc20_metadata("0xacc")


def test_erc20_metadata_of_nothing_is_contract_not_found(chain):
    with pytest.raises(starknet.ContractNotFound):
        starknet.erc20_metadata("0xdead")


def test_erc20_balance_moves_after_a_transfer(chain, starknet_node):
    # given
    assert starknet.erc20_balance_of(addr(TOKEN), addr(ALICE)) == 500 * 10**6
    assert starknet.erc20_balance_of(addr(TOKEN), addr(BOB)) == 0

    # when
    chain.transfer(TOKEN, ALICE, BOB, 150_500_000)

    # then
    assert starknet.erc20_balance_of(addr(TOKEN), addr(ALICE)) == 349_500_000
    assert starknet.erc20_balance_of(addr(TOKEN), addr(BOB)) == 150_500_000
    assert starknet.erc20_balance_of(STRK_HEX, addr(ALICE)) == 10 * 10**18 - FEE
    assert starknet.erc20_balance_of(STRK_HEX, hex(SEQUENCER)) == FEE


def test_erc20_balance_reads_the_high_u256_word(chain, starknet_node):
    assert starknet.erc20_balance_of(addr(OLD_TOKEN), addr(ALICE)) == 3 * 2**128 + 7
    # An old token has only balanceOf: the snake_case name is tried first.
    assert starknet_node.called_functions() == ["balance_of", "balanceOf"]


def test_erc20_total_supply(chain):
    assert starknet.erc20_total_supply(addr(TOKEN)) == 500 * 10**6
    assert starknet.erc20_total_supply(addr(OLD_TOKEN)) == 3 * 2**128 + 7


def test_call_contract_unknown_function_is_entry_point_not_found(chain):
    with pytest.raises(starknet.EntryPointNotFound):
        starknet.call_contract(addr(TOKEN), "mint_me_money", [])


def test_call_contract_reverted_call(chain):
    with pytest.raises(starknet.ContractCallReverted) as caught:
        starknet.call_contract(addr(TOKEN), "balance_of", [])
    assert "deserialize" in str(caught.value.revert_error)


def test_call_contract_unknown_block_is_block_not_found(chain):
    with pytest.raises(starknet.BlockNotFound):
        starknet.call_contract(addr(TOKEN), "decimals", [], block=999)


def test_call_contract_returns_felts(chain):
    assert starknet.call_contract(addr(TOKEN), "decimals", [], block=0) == [6]


@pytest.mark.parametrize("block", [-1, "earliest", True, 1.5])
def test_call_contract_refuses_invalid_block_before_any_request(chain, starknet_node, block):
    with pytest.raises(ValueError):
        starknet.call_contract(addr(TOKEN), "decimals", [], block=block)
    assert starknet_node.methods == []


# --- Receipts and events ----------------------------------------------------------------------------


def test_receipt_in_current_layout_decodes_transfer_and_fee(chain, starknet_node):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 42_000_000)
    starknet_node.clear_log()

    receipt = starknet.get_transaction_receipt(tx_hash)

    assert starknet_node.methods == ["starknet_specVersion", "starknet_chainId", "starknet_getTransactionReceipt"]
    assert receipt.transaction_hash == tx_hash
    assert receipt.succeeded and receipt.accepted
    assert receipt.finality_status == "ACCEPTED_ON_L2"
    assert receipt.block_number == chain.latest.number and receipt.block_hash == chain.latest.hash
    assert receipt.actual_fee == FEE and receipt.fee_unit == "FRI"
    decoded = [starknet.decode_erc20_event(event) for event in receipt.events]
    assert decoded == [
        starknet.Erc20Event(kind="Transfer", token=TOKEN, sender=ALICE, recipient=BOB, amount=42_000_000),
        starknet.Erc20Event(kind="Transfer", token=STRK, sender=ALICE, recipient=SEQUENCER, amount=FEE),
    ]
    assert receipt.events[0].keys == [starknet.TRANSFER_SELECTOR, ALICE, BOB]


def test_receipt_in_legacy_layout_decodes_transfer(chain):
    tx_hash = chain.transfer(STRK, ALICE, BOB, 5 * 10**18, layout="legacy")
    receipt = starknet.get_transaction_receipt(tx_hash)
    assert receipt.events[0].keys == [starknet.TRANSFER_SELECTOR]
    assert receipt.events[0].data == [ALICE, BOB, 5 * 10**18, 0]
    assert starknet.decode_erc20_event(receipt.events[0]) == starknet.Erc20Event(
        kind="Transfer", token=STRK, sender=ALICE, recipient=BOB, amount=5 * 10**18
    )


def test_receipt_of_an_approval(chain):
    receipt = starknet.get_transaction_receipt(chain.approve(TOKEN, ALICE, BOB, 7))
    assert starknet.decode_erc20_event(receipt.events[0]) == starknet.Erc20Event(
        kind="Approval", token=TOKEN, sender=ALICE, recipient=BOB, amount=7
    )


@pytest.mark.parametrize(
    "event",
    [
        starknet.Event(from_address=1, keys=[], data=[]),
        starknet.Event(from_address=1, keys=[0x1234, 1, 2], data=[3, 0]),
        starknet.Event(from_address=1, keys=[starknet.TRANSFER_SELECTOR, 1], data=[3, 0]),
        starknet.Event(from_address=1, keys=[starknet.TRANSFER_SELECTOR], data=[1, 2, 3]),
        starknet.Event(from_address=1, keys=[starknet.TRANSFER_SELECTOR, 1, 2], data=[2**128, 0]),
    ],
)
def test_decode_erc20_event_skips_other_shapes(event):
    assert starknet.decode_erc20_event(event) is None


def test_receipt_of_a_reverted_transfer(chain):
    chain.mint(STRK, BOB, FEE)  # Bob has no TOKEN, only his fee
    tx_hash = chain.transfer(TOKEN, BOB, ALICE, 1)
    receipt = starknet.get_transaction_receipt(tx_hash)
    assert receipt.execution_status == "REVERTED" and not receipt.succeeded
    assert "insufficient balance" in receipt.revert_reason
    # Only the fee transfer happened.
    assert [starknet.decode_erc20_event(event).token for event in receipt.events] == [STRK]
    assert starknet.erc20_balance_of(addr(TOKEN), addr(ALICE)) == 500 * 10**6


def test_receipt_finality_pre_confirmed_then_accepted_on_l1(chain):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 1, finality="PRE_CONFIRMED")
    pending = starknet.get_transaction_receipt(tx_hash)
    assert pending.finality_status == "PRE_CONFIRMED" and not pending.accepted
    assert pending.block_hash is None

    chain.accept(tx_hash, finality="ACCEPTED_ON_L1")
    final = starknet.get_transaction_receipt(tx_hash)
    assert final.finality_status == "ACCEPTED_ON_L1" and final.accepted
    assert final.block_hash == chain.latest.hash


def test_receipt_of_an_unknown_transaction(chain, starknet_node, settings, make_starknet_node):
    other = make_starknet_node()
    settings.STARKNET_RPC_URLS = [starknet_node.url, other.url]
    with pytest.raises(starknet.TransactionNotFound):
        starknet.get_transaction_receipt(0x1234)
    # A definitive answer: the second node is not asked.
    assert other.methods == []


def test_get_events_pages_with_continuation_tokens(chain, starknet_node):
    # given: three transfers of TOKEN (each also emits a STRK fee transfer)
    for amount in (1, 2, 3):
        chain.transfer(TOKEN, ALICE, BOB, amount)

    # when: two pages of one event
    first = starknet.get_events(
        address=addr(TOKEN),
        from_block=0,
        to_block="latest",
        keys=[[starknet.TRANSFER_SELECTOR]],
        chunk_size=1,
        max_pages=2,
    )

    # then
    assert [starknet.decode_erc20_event(event).amount for event in first.events] == [1, 2]
    assert first.pages == 2 and first.continuation_token is not None
    assert first.events[0].block_number == 1 and first.events[0].transaction_index == 0
    assert first.events[0].event_index == 0
    assert first.events[0].block_hash == chain.blocks[1].hash

    rest = starknet.get_events(
        address=addr(TOKEN),
        from_block=0,
        to_block="latest",
        chunk_size=1,
        max_pages=5,
        continuation_token=first.continuation_token,
    )
    assert [starknet.decode_erc20_event(event).amount for event in rest.events] == [3]
    assert rest.continuation_token is None
    assert starknet_node.methods.count("starknet_getEvents") == 3


def test_get_events_filters_by_key_position_and_block_range(chain):
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.transfer(TOKEN, ALICE, 0xCAFE, 2)
    chain.transfer(TOKEN, ALICE, BOB, 3)
    to_bob = starknet.get_events(
        address=addr(TOKEN),
        from_block=0,
        to_block="latest",
        keys=[[starknet.TRANSFER_SELECTOR], [], [BOB]],
        chunk_size=10,
    )
    assert [starknet.decode_erc20_event(event).amount for event in to_bob.events] == [1, 3]
    in_block_2 = starknet.get_events(address=addr(TOKEN), from_block=2, to_block=2, chunk_size=10)
    assert [starknet.decode_erc20_event(event).amount for event in in_block_2.events] == [2]


def test_get_events_too_big_a_page_is_node_trouble(chain):
    with pytest.raises(starknet.NodeBadResponse):
        starknet.get_events(address=addr(TOKEN), from_block=0, to_block="latest", chunk_size=5000)


def test_get_events_invalid_continuation_token_is_node_trouble(chain):
    with pytest.raises(starknet.NodeBadResponse):
        starknet.get_events(address=addr(TOKEN), from_block=0, to_block="latest", continuation_token="forged")


# --- Blocks, class hashes, nonces -------------------------------------------------------------------


def test_get_block_number_follows_the_chain(chain):
    assert starknet.get_block_number() == 0
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.mine_blocks(2)
    assert starknet.get_block_number() == 3


def test_get_block_has_timestamp_and_transactions(chain):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 9)
    block = starknet.get_block("latest")
    assert block.block_number == 1
    assert block.timestamp == GENESIS_TIMESTAMP + BLOCK_TIME
    assert block.transaction_hashes == [tx_hash]
    assert block.status == "ACCEPTED_ON_L2"
    assert block.parent_hash == chain.blocks[0].hash


def test_get_block_with_receipts(chain):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 9, l2_gas=123_456)
    block = starknet.get_block(1, with_receipts=True)
    [tx] = block.transactions
    assert (tx.transaction_hash, tx.sender_address, tx.execution_status, tx.actual_fee, tx.l2_gas) == (
        tx_hash,
        ALICE,
        "SUCCEEDED",
        FEE,
        123_456,
    )
    assert starknet.decode_erc20_event(tx.events[0]).amount == 9


def test_get_pre_confirmed_block_with_receipts(chain):
    # given: block 1 accepted, then two transactions pre-confirmed
    chain.transfer(TOKEN, ALICE, BOB, 1)
    first = chain.transfer(TOKEN, ALICE, BOB, 2, finality="PRE_CONFIRMED", l2_gas=10)
    second = chain.transfer(STRK, ALICE, BOB, 3, finality="PRE_CONFIRMED", l2_gas=20)

    # when
    block = starknet.get_block("pre_confirmed", with_receipts=True)

    # then: the block being built, one past the latest, with both transactions and their receipts
    assert (block.block_number, block.block_hash, block.parent_hash, block.status) == (2, None, None, "PRE_CONFIRMED")
    assert block.transaction_hashes == [first, second]
    assert [(tx.sender_address, tx.l2_gas) for tx in block.transactions] == [(ALICE, 10), (ALICE, 20)]
    assert starknet.get_transaction_receipt(first).block_number == 2


def test_get_pre_confirmed_block_has_no_hash(chain):
    tx_hash = chain.transfer(TOKEN, ALICE, BOB, 9, finality="PRE_CONFIRMED")
    block = starknet.get_block("pre_confirmed")
    assert (block.block_number, block.block_hash, block.status) == (1, None, "PRE_CONFIRMED")
    assert block.transaction_hashes == [tx_hash]
    assert starknet.get_block("latest").transaction_hashes == []


def test_get_block_unknown_is_block_not_found(chain):
    with pytest.raises(starknet.BlockNotFound):
        starknet.get_block(50)


def test_get_block_timestamps_reads_each_block_once(chain, starknet_node):
    chain.mine_blocks(3)
    starknet_node.clear_log()
    assert starknet.get_block_timestamps([3, 1, 3]) == {
        3: GENESIS_TIMESTAMP + 3 * BLOCK_TIME,
        1: GENESIS_TIMESTAMP + BLOCK_TIME,
    }
    assert starknet_node.methods.count("starknet_getBlockWithTxHashes") == 2


def test_get_class_hash_at(chain):
    assert starknet.get_class_hash_at(addr(TOKEN)) == ERC20_CLASS_HASH
    with pytest.raises(starknet.ContractNotFound):
        starknet.get_class_hash_at("0xdead")


def test_get_nonce_counts_account_transactions(chain):
    chain.deploy_account(ALICE, public_key=0x1)
    assert starknet.get_nonce(addr(ALICE)) == 0
    chain.transfer(TOKEN, ALICE, BOB, 1)
    chain.transfer(TOKEN, ALICE, BOB, 1)
    assert starknet.get_nonce(addr(ALICE)) == 2
    with pytest.raises(starknet.ContractNotFound):
        starknet.get_nonce("0xdead")


def test_get_chain_id(starknet_node):
    assert starknet.get_chain_id() == "SN_SEPOLIA"


# --- Node trouble and failover ----------------------------------------------------------------------


def test_unconfigured_rpc_is_node_unavailable(settings):
    settings.STARKNET_RPC_URLS = []
    with pytest.raises(starknet.NodeUnavailable) as caught:
        starknet.get_block_number()
    assert caught.value.message == "Starknet RPC is not configured."


def test_unreachable_node_is_node_unavailable(settings):
    settings.STARKNET_RPC_URLS = [unreachable_url()]
    with pytest.raises(starknet.NodeUnavailable):
        starknet.get_block_number()


@pytest.mark.parametrize(
    ("status", "error"),
    [(503, starknet.NodeUnavailable), (429, starknet.NodeUnavailable), (502, starknet.NodeBadResponse)],
)
def test_http_errors_map_to_node_errors(starknet_node, status, error):
    starknet_node.fail(status)
    with pytest.raises(error):
        starknet.get_block_number()


def test_hanging_node_is_node_timeout(starknet_node, settings):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3)
    with pytest.raises(starknet.NodeTimeout):
        starknet.get_block_number()


def test_timeout_bounds_the_whole_operation_not_each_request(starknet_node, settings):
    # Three requests of 0.25 s each: every one is within 0.6 s, the operation is not.
    settings.STARKNET_RPC_TIMEOUT = 0.6
    starknet_node.hang(0.25)
    with pytest.raises(starknet.NodeTimeout):
        starknet.get_block_number()


def test_malformed_result_is_node_bad_response(starknet_node):
    starknet_node.answer_without_result(method="starknet_blockNumber")
    with pytest.raises(starknet.NodeBadResponse):
        starknet.get_block_number()


def test_failover_after_a_failing_node_starts_with_spec_version(starknet_node, make_starknet_node, settings):
    second = make_starknet_node()
    second.chain.mine_blocks(4)
    starknet_node.fail(503)
    settings.STARKNET_RPC_URLS = [starknet_node.url, second.url]
    assert starknet.get_block_number() == 4
    assert starknet_node.methods == ["starknet_specVersion"]
    assert second.methods == ["starknet_specVersion", "starknet_chainId", "starknet_blockNumber"]


def test_node_on_another_chain_is_skipped(make_starknet_node, settings):
    mainnet, sepolia = make_starknet_node(chain_id="SN_MAIN"), make_starknet_node()
    sepolia.chain.mine_blocks(2)
    settings.STARKNET_RPC_URLS = [mainnet.url, sepolia.url]
    assert starknet.get_block_number() == 2
    assert "starknet_blockNumber" not in mainnet.methods


def test_error_messages_never_name_the_node(settings):
    settings.STARKNET_RPC_URLS = ["http://127.0.0.1:1/rpc/v0_10?apikey=secret"]
    with pytest.raises(starknet.NodeError) as caught:
        starknet.get_block_number()
    assert "secret" not in str(caught.value) and "127.0.0.1" not in str(caught.value)


# --- check_starknet_nodes ---------------------------------------------------------------------------


def test_check_starknet_nodes_reports_every_url(starknet_node, make_starknet_node, settings):
    # given: a good node, a node on an old spec, one on another chain and a dead URL
    old_spec, mainnet = make_starknet_node(), make_starknet_node(chain_id="SN_MAIN")
    old_spec.spec_version = "0.9.0"
    settings.STARKNET_RPC_URLS = [starknet_node.url, old_spec.url, mainnet.url, unreachable_url() + "?key=secret"]
    out = io.StringIO()

    # when
    with pytest.raises(SystemExit) as exit_code:
        call_command("check_starknet_nodes", stdout=out, stderr=out)

    # then
    report = out.getvalue()
    assert exit_code.value.code == 1
    assert report.count("OK") == 1
    assert "spec version 0.9.0" in report
    assert "chain SN_MAIN" in report
    assert "unreachable" in report
    assert "secret" not in report and "/rpc/v0_10" not in report
    assert starknet_node.methods == ["starknet_specVersion", "starknet_chainId"]


def test_check_starknet_nodes_succeeds_when_all_are_fine(starknet_node):
    out = io.StringIO()
    call_command("check_starknet_nodes", stdout=out)
    assert "OK" in out.getvalue() and "0.10.2" in out.getvalue()


def test_check_starknet_nodes_without_urls_is_an_error(settings):
    settings.STARKNET_RPC_URLS = []
    with pytest.raises(CommandError, match="STARKNET_RPC_URLS is empty"):
        call_command("check_starknet_nodes")


# --- Sync surface ----------------------------------------------------------------------------------


def test_client_is_sync_and_refuses_to_block_a_running_event_loop(chain):
    # given: async code (a Channels consumer, say) must hand the client to a thread instead
    async def read():
        with pytest.raises(RuntimeError):
            starknet.get_block_number()
        return await asyncio.to_thread(starknet.erc20_balance_of, addr(TOKEN), addr(ALICE))

    # when / then
    assert starknet.get_block_number() == 0
    assert asyncio.run(read()) == 500 * 10**6
