"""A local Starknet JSON-RPC 2.0 node for the tests (spec 0.10.2, the subset starknet-py uses).

It replaces Starknet at the network boundary: the backend's real client talks HTTP to it. Every answer
is derived from an in-memory chain:

- blocks with timestamps, mined by `Chain.transfer` / `Chain.approve` / `Chain.mine_block`, and the
  pre-confirmed block being built (transactions committed with finality PRE_CONFIRMED, numbered one past
  the latest block, without hash or parent; `Chain.serves_pre_confirmed = False` makes it unknown, 24);
  each receipt's `execution_resources.l2_gas` is its transaction's own (`l2_gas=`, default L2_GAS);
- ERC-20 contracts (`Chain.deploy_erc20`) with a short-string or ByteArray name and symbol, snake_case
  and camelCase views (or camelCase only) answering u256, balances that really move;
- account contracts (`Chain.deploy_account`) whose `is_valid_signature` runs STARK-curve ECDSA on
  `[r, s]` and on Argent's `[1, 0, pubkey, r, s]` and answers 'VALID', or reverts / answers 0; legacy
  accounts with only `isValidSignature` answering 1;
- the spec's errors: 20 undeployed contract, 21 or 40 unknown entry point, 24 unknown block, 29 unknown
  transaction, 31 page size too big, 33 bad continuation token.

Node trouble is injected per test (`StarknetNode.fail`, `.hang`, `.spec_version`, `.chain_id`), and
`StarknetNode.methods` logs the JSON-RPC methods in the order they arrived.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from starknet_py.cairo.felt import encode_shortstring
from starknet_py.hash.selector import get_selector_from_name
from starknet_py.hash.utils import verify_message_signature
from starknet_py.serialization.data_serializers.byte_array_serializer import ByteArraySerializer

SPEC_VERSION = "0.10.2"
STRK = 0x04718F5A0FC34CC1AF16A1CDEE98FFB20C31F5CD61D6AB07201858F4287C938D
ETH = 0x049D36570D4E46F48E99674BD3FCC84644DDD6B96F7C741B1562B82F9E004DC7
SEQUENCER = 0x1176A1BD84444C89232EC27754698E5D2E7E1A7F1539F12027F28B23EC9F3D8
# The test chain of the `chain` fixture (tests/conftest.py): an account holding STRK (for fees) and two
# tokens, one with ByteArray strings and 6 decimals, one old-style (short strings, camelCase views).
TEST_ALICE = 0xA11CE
TEST_BOB = 0xB0B
TEST_TOKEN = 0x7070
TEST_OLD_TOKEN = 0x7171
TRANSFER = get_selector_from_name("Transfer")
APPROVAL = get_selector_from_name("Approval")
VALID = encode_shortstring("VALID")
GENESIS_TIMESTAMP = 1_767_225_600  # 2026-01-01T00:00:00Z
BLOCK_TIME = 30
ACCOUNT_CLASS_HASH = 0x36078334509B514626504EDC9FB252328D1A240E4E948BEF8D0C08DFF45927F
LEGACY_ACCOUNT_CLASS_HASH = 0x25EC026985A3BF9D0CC1FE17326B245DFDC3FF89B8FDE106542A3EA56C5A918
ERC20_CLASS_HASH = 0x4AD3C1DC8413453DB314497945B6903E1C766495A1E60492D44DA9C2A986E4B
U128 = 2**128
FEE = 10**15  # 0.001 STRK per transaction
L2_GAS = 1_000_000  # L2 gas a transaction consumes unless it says otherwise

Finality = Literal["PRE_CONFIRMED", "ACCEPTED_ON_L2", "ACCEPTED_ON_L1"]


class RpcError(Exception):
    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.code, self.message, self.data = code, message, data

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.data is not None:
            error["data"] = self.data
        return error


def contract_error(reason: str) -> RpcError:
    return RpcError(40, "Contract error", {"revert_error": reason})


def felt(value: int) -> str:
    """Spec felt text: 0x without zero padding."""
    return hex(value)


def _digest(*parts: Any) -> int:
    text = ":".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest(), "big") >> 6  # below 2**250


def _u256(value: int) -> list[int]:
    return [value % U128, value // U128]


def _string(text: str, encoding: str) -> list[int]:
    if encoding == "felt":
        return [encode_shortstring(text)]
    return list(ByteArraySerializer().serialize(text))


# --- Contracts --------------------------------------------------------------------------------------


@dataclass
class Erc20:
    name: str
    symbol: str
    decimals: int
    string_encoding: Literal["felt", "bytearray"] = "felt"
    camel_only: bool = False  # older tokens have only the camelCase views
    balances: dict[int, int] = field(default_factory=dict)
    allowances: dict[tuple[int, int], int] = field(default_factory=dict)
    class_hash: int = ERC20_CLASS_HASH

    def total_supply(self) -> int:
        return sum(self.balances.values())

    def call(self, chain: Chain, name: str | None, calldata: list[int]) -> list[int]:
        views: dict[str, tuple[int, Any]] = {
            "name": (0, lambda: _string(self.name, self.string_encoding)),
            "symbol": (0, lambda: _string(self.symbol, self.string_encoding)),
            "decimals": (0, lambda: [self.decimals]),
            "totalSupply": (0, lambda: _u256(self.total_supply())),
            "balanceOf": (1, lambda: _u256(self.balances.get(calldata[0], 0))),
            "allowance": (2, lambda: _u256(self.allowances.get((calldata[0], calldata[1]), 0))),
        }
        if not self.camel_only:
            views["total_supply"] = views["totalSupply"]
            views["balance_of"] = views["balanceOf"]
        if name not in views:
            raise RpcError(21, "Requested entrypoint does not exist in the contract")
        arity, answer = views[name]
        if len(calldata) != arity:
            raise contract_error("Failed to deserialize param #1")
        return answer()


@dataclass
class Account:
    public_key: int
    legacy: bool = False  # only `isValidSignature`, answering 1, and only [r, s]
    on_invalid: Literal["revert", "zero"] = "revert"  # Argent reverts; others answer 0
    nonce: int = 0

    @property
    def class_hash(self) -> int:
        return LEGACY_ACCOUNT_CLASS_HASH if self.legacy else ACCOUNT_CLASS_HASH

    def _valid(self, msg_hash: int, signature: list[int]) -> bool:
        if len(signature) == 2:
            r, s = signature
        elif not self.legacy and len(signature) == 5 and signature[:2] == [1, 0]:
            # Argent: Array<SignerSignature> of one Starknet signer: [len, variant, pubkey, r, s].
            if signature[2] != self.public_key:
                return False
            r, s = signature[3], signature[4]
        else:
            return False
        try:
            return verify_message_signature(msg_hash, [r, s], self.public_key)
        except (ValueError, ArithmeticError):
            return False

    def call(self, chain: Chain, name: str | None, calldata: list[int]) -> list[int]:
        expected = "isValidSignature" if self.legacy else "is_valid_signature"
        if name != expected:
            # Cairo 1 accounts on current nodes report a missing entry point as a contract error.
            if self.legacy:
                raise RpcError(21, "Requested entrypoint does not exist in the contract")
            raise contract_error(f"Entry point {name} not found in contract.")
        if len(calldata) < 2 or calldata[1] != len(calldata) - 2:
            raise contract_error("Failed to deserialize param #2")
        msg_hash, signature = calldata[0], calldata[2:]
        if self._valid(msg_hash, signature):
            return [1] if self.legacy else [VALID]
        if self.legacy or self.on_invalid == "revert":
            raise contract_error("argent/invalid-signature")
        return [0]


Contract = Erc20 | Account


# --- Chain ------------------------------------------------------------------------------------------


@dataclass
class Tx:
    hash: int
    sender: int
    nonce: int
    calldata: list[int]
    events: list[dict[str, Any]]
    execution_status: str = "SUCCEEDED"
    revert_reason: str | None = None
    fee: int = FEE
    l2_gas: int = L2_GAS
    block_number: int | None = None


@dataclass
class BlockRecord:
    number: int
    hash: int
    parent_hash: int
    timestamp: int
    status: Finality
    txs: list[Tx] = field(default_factory=list)


class Chain:
    """The in-memory state behind the node. Helpers are called by tests; the node only reads."""

    def __init__(self, chain_id: str = "SN_SEPOLIA"):
        self.lock = threading.RLock()
        self.chain_id = chain_id
        self.contracts: dict[int, Contract] = {}
        self.blocks: list[BlockRecord] = []
        self.pending: list[Tx] = []
        self.serves_pre_confirmed = True  # False: the pre-confirmed block is unknown (24), as on some nodes
        self.txs: dict[int, Tx] = {}
        self.clock = GENESIS_TIMESTAMP
        self.mine_block()
        self.strk = self.deploy_erc20(STRK, name="Starknet Token", symbol="STRK", decimals=18)

    # --- state helpers
    def deploy_erc20(
        self,
        address: int,
        *,
        name: str,
        symbol: str,
        decimals: int = 18,
        string_encoding: Literal["felt", "bytearray"] = "felt",
        camel_only: bool = False,
    ) -> Erc20:
        token = Erc20(name, symbol, decimals, string_encoding=string_encoding, camel_only=camel_only)
        with self.lock:
            self.contracts[address] = token
        return token

    def deploy_account(
        self, address: int, public_key: int, *, legacy: bool = False, on_invalid: Literal["revert", "zero"] = "revert"
    ) -> Account:
        account = Account(public_key=public_key, legacy=legacy, on_invalid=on_invalid)
        with self.lock:
            self.contracts[address] = account
        return account

    def mint(self, token: int, account: int, amount: int) -> None:
        with self.lock:
            erc20 = self._erc20(token)
            erc20.balances[account] = erc20.balances.get(account, 0) + amount

    def balance(self, token: int, account: int) -> int:
        return self._erc20(token).balances.get(account, 0)

    def _erc20(self, token: int) -> Erc20:
        contract = self.contracts.get(token)
        if not isinstance(contract, Erc20):
            raise LookupError(f"no ERC-20 at {token:#x}")
        return contract

    @property
    def latest(self) -> BlockRecord:
        return self.blocks[-1]

    def mine_block(self, *, txs: list[Tx] | None = None, finality: Finality = "ACCEPTED_ON_L2", timestamp=None):
        """Append a block (empty unless `txs`) BLOCK_TIME seconds after the previous one."""
        with self.lock:
            number = len(self.blocks)
            self.clock = (
                timestamp if timestamp is not None else (self.clock + BLOCK_TIME if self.blocks else self.clock)
            )
            parent = self.blocks[-1].hash if self.blocks else 0
            block = BlockRecord(number, _digest("block", number), parent, self.clock, finality, list(txs or []))
            for tx in block.txs:
                tx.block_number = number
            self.blocks.append(block)
            # Transactions still pre-confirmed belong to the block being built, which is now the next one.
            for tx in self.pending:
                tx.block_number = len(self.blocks)
            return block

    def mine_blocks(self, count: int) -> None:
        for _ in range(count):
            self.mine_block()

    def _next_tx(self, sender: int, calldata: list[int], l2_gas: int = L2_GAS) -> Tx:
        account = self.contracts.get(sender)
        nonce = 0
        if isinstance(account, Account):
            nonce = account.nonce
            account.nonce += 1
        tx = Tx(
            hash=_digest("tx", len(self.txs), sender, nonce),
            sender=sender,
            nonce=nonce,
            calldata=calldata,
            events=[],
            l2_gas=l2_gas,
        )
        self.txs[tx.hash] = tx
        return tx

    def _commit(self, tx: Tx, finality: Finality) -> int:
        if finality == "PRE_CONFIRMED":
            tx.block_number = len(self.blocks)
            self.pending.append(tx)
        else:
            self.mine_block(txs=[tx], finality=finality)
        return tx.hash

    def _pay_fee(self, tx: Tx) -> None:
        fee_token = self._erc20(STRK)
        if fee_token.balances.get(tx.sender, 0) < tx.fee:
            raise ValueError(f"{tx.sender:#x} cannot pay the fee: mint STRK to it first")
        fee_token.balances[tx.sender] -= tx.fee
        fee_token.balances[SEQUENCER] = fee_token.balances.get(SEQUENCER, 0) + tx.fee
        tx.events.append({"from_address": STRK, "keys": [TRANSFER, tx.sender, SEQUENCER], "data": _u256(tx.fee)})

    def transfer(
        self,
        token: int,
        sender: int,
        recipient: int,
        amount: int,
        *,
        layout: Literal["current", "legacy"] = "current",
        finality: Finality = "ACCEPTED_ON_L2",
        l2_gas: int = L2_GAS,
    ) -> int:
        """Mine a transaction moving `amount` base units of `token`; its receipt carries the Transfer
        event (OZ Cairo 1 or legacy layout) and the fee transfer (STRK, sender -> sequencer), and says it
        consumed `l2_gas`. Without enough balance it is REVERTED with a revert reason (the fee is still
        paid). Returns the hash."""
        with self.lock:
            erc20 = self._erc20(token)
            calldata = [1, token, get_selector_from_name("transfer"), 3, recipient, *_u256(amount)]
            tx = self._next_tx(sender, calldata, l2_gas)
            if erc20.balances.get(sender, 0) < amount:
                tx.execution_status = "REVERTED"
                tx.revert_reason = "Transaction execution has failed: ERC20: insufficient balance"
            else:
                erc20.balances[sender] -= amount
                erc20.balances[recipient] = erc20.balances.get(recipient, 0) + amount
                tx.events.append(self._erc20_event(token, TRANSFER, sender, recipient, amount, layout))
            self._pay_fee(tx)
            return self._commit(tx, finality)

    def transfer_many(
        self,
        token: int,
        sender: int,
        transfers: list[tuple[int, int]],
        *,
        finality: Finality = "ACCEPTED_ON_L2",
        l2_gas: int = L2_GAS,
    ) -> int:
        """Mine one multicall transaction making each (recipient, amount) transfer of `token` in turn: its
        receipt carries one Transfer event per transfer, in order, then the fee transfer. Returns the hash."""
        with self.lock:
            erc20 = self._erc20(token)
            if erc20.balances.get(sender, 0) < sum(amount for _, amount in transfers):
                raise ValueError(f"{sender:#x} cannot pay these transfers: mint first")
            selector = get_selector_from_name("transfer")
            calldata = [len(transfers)]
            for recipient, amount in transfers:
                calldata += [token, selector, 3, recipient, *_u256(amount)]
            tx = self._next_tx(sender, calldata, l2_gas)
            for recipient, amount in transfers:
                erc20.balances[sender] -= amount
                erc20.balances[recipient] = erc20.balances.get(recipient, 0) + amount
                tx.events.append(self._erc20_event(token, TRANSFER, sender, recipient, amount, "current"))
            self._pay_fee(tx)
            return self._commit(tx, finality)

    def approve(
        self,
        token: int,
        owner: int,
        spender: int,
        amount: int,
        *,
        layout="current",
        finality: Finality = "ACCEPTED_ON_L2",
        l2_gas: int = L2_GAS,
    ) -> int:
        """Mine an `approve`; the receipt carries the Approval event and the fee transfer."""
        with self.lock:
            erc20 = self._erc20(token)
            calldata = [1, token, get_selector_from_name("approve"), 3, spender, *_u256(amount)]
            tx = self._next_tx(owner, calldata, l2_gas)
            erc20.allowances[(owner, spender)] = amount
            tx.events.append(self._erc20_event(token, APPROVAL, owner, spender, amount, layout))
            self._pay_fee(tx)
            return self._commit(tx, finality)

    @staticmethod
    def _erc20_event(token: int, selector: int, first: int, second: int, amount: int, layout: str) -> dict:
        if layout == "current":
            return {"from_address": token, "keys": [selector, first, second], "data": _u256(amount)}
        return {"from_address": token, "keys": [selector], "data": [first, second, *_u256(amount)]}

    def accept(self, tx_hash: int, finality: Finality = "ACCEPTED_ON_L2") -> None:
        """Mine the pre-confirmed transaction `tx_hash` into a block of status `finality`."""
        with self.lock:
            tx = self.txs[tx_hash]
            self.pending.remove(tx)
            self.mine_block(txs=[tx], finality=finality)

    def mine_pending(self, finality: Finality = "ACCEPTED_ON_L2") -> BlockRecord:
        """Mine every pre-confirmed transaction into one block (a block of several transactions)."""
        with self.lock:
            txs, self.pending = self.pending, []
            return self.mine_block(txs=txs, finality=finality)

    def finality_of(self, tx: Tx) -> Finality:
        if tx in self.pending:
            return "PRE_CONFIRMED"
        return self.blocks[tx.block_number].status  # type: ignore[index]

    # --- JSON views
    def resolve_block(self, block_id: Any) -> BlockRecord | None:
        """The block a spec block_id names; None for the pre-confirmed block; RpcError 24 if unknown."""
        if block_id == "latest":
            return self.latest
        if block_id == "l1_accepted":
            accepted = [block for block in self.blocks if block.status == "ACCEPTED_ON_L1"]
            if not accepted:
                raise RpcError(24, "Block not found")
            return accepted[-1]
        if block_id == "pre_confirmed":
            if not self.serves_pre_confirmed:
                raise RpcError(24, "Block not found")
            return None
        if isinstance(block_id, dict) and isinstance(block_id.get("block_number"), int):
            number = block_id["block_number"]
            if 0 <= number < len(self.blocks):
                return self.blocks[number]
            raise RpcError(24, "Block not found")
        if isinstance(block_id, dict) and isinstance(block_id.get("block_hash"), str):
            for block in self.blocks:
                if block.hash == int(block_id["block_hash"], 16):
                    return block
            raise RpcError(24, "Block not found")
        raise RpcError(-32602, "Invalid params", "block_id")

    def receipt_json(self, tx: Tx) -> dict[str, Any]:
        receipt: dict[str, Any] = {
            "type": "INVOKE",
            "transaction_hash": felt(tx.hash),
            "actual_fee": {"amount": felt(tx.fee), "unit": "FRI"},
            "execution_status": tx.execution_status,
            "finality_status": self.finality_of(tx),
            "block_number": tx.block_number,
            "messages_sent": [],
            "events": [self._event_json(event) for event in tx.events],
            "execution_resources": {"l1_gas": 0, "l1_data_gas": 128, "l2_gas": tx.l2_gas},
        }
        if tx not in self.pending:
            receipt["block_hash"] = felt(self.blocks[tx.block_number].hash)  # type: ignore[index]
        if tx.revert_reason is not None:
            receipt["revert_reason"] = tx.revert_reason
        return receipt

    @staticmethod
    def _event_json(event: dict[str, Any]) -> dict[str, Any]:
        return {
            "from_address": felt(event["from_address"]),
            "keys": [felt(key) for key in event["keys"]],
            "data": [felt(item) for item in event["data"]],
        }

    @staticmethod
    def tx_json(tx: Tx) -> dict[str, Any]:
        bounds = {"max_amount": "0x186a0", "max_price_per_unit": "0x5af3107a4000"}
        return {
            "transaction_hash": felt(tx.hash),
            "type": "INVOKE",
            "version": "0x3",
            "sender_address": felt(tx.sender),
            "nonce": felt(tx.nonce),
            "calldata": [felt(item) for item in tx.calldata],
            "signature": ["0x1", "0x2"],
            "resource_bounds": {"l1_gas": bounds, "l2_gas": bounds, "l1_data_gas": bounds},
            "tip": "0x0",
            "paymaster_data": [],
            "account_deployment_data": [],
            "nonce_data_availability_mode": "L1",
            "fee_data_availability_mode": "L1",
        }

    def block_json(self, block: BlockRecord | None, shape: str) -> dict[str, Any]:
        price = {"price_in_fri": "0x2540be400", "price_in_wei": "0x3b9aca00"}
        txs = block.txs if block is not None else self.pending
        header: dict[str, Any] = {
            "block_number": block.number if block is not None else len(self.blocks),
            "timestamp": block.timestamp if block is not None else self.clock + BLOCK_TIME,
            "sequencer_address": felt(SEQUENCER),
            "l1_gas_price": price,
            "l2_gas_price": price,
            "l1_data_gas_price": price,
            "l1_da_mode": "BLOB",
            "starknet_version": "0.14.1",
        }
        if block is not None:
            header.update(
                {
                    "status": block.status,
                    "block_hash": felt(block.hash),
                    "parent_hash": felt(block.parent_hash),
                    "new_root": felt(_digest("root", block.number)),
                    "event_commitment": "0x0",
                    "transaction_commitment": "0x0",
                    "receipt_commitment": "0x0",
                    "state_diff_commitment": "0x0",
                    "event_count": sum(len(tx.events) for tx in txs),
                    "transaction_count": len(txs),
                    "state_diff_length": 0,
                }
            )
        if shape == "hashes":
            header["transactions"] = [felt(tx.hash) for tx in txs]
        elif shape == "txs":
            header["transactions"] = [self.tx_json(tx) for tx in txs]
        else:
            header["transactions"] = [
                {"transaction": self.tx_json(tx), "receipt": self._receipt_in_block(tx)} for tx in txs
            ]
        return header

    def _receipt_in_block(self, tx: Tx) -> dict[str, Any]:
        receipt = self.receipt_json(tx)
        receipt.pop("block_hash", None)
        receipt.pop("block_number", None)
        return receipt


# --- JSON-RPC methods -------------------------------------------------------------------------------


def _felt_param(params: dict, name: str) -> int:
    value = params.get(name)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise RpcError(-32602, "Invalid params", name)
    return int(value, 16)


class Methods:
    """starknet_* methods over a Chain."""

    MAX_CHUNK_SIZE = 1000

    def __init__(self, node: StarknetNode):
        self.node = node

    @property
    def chain(self) -> Chain:
        return self.node.chain

    def starknet_specVersion(self, params):
        return self.node.spec_version

    def starknet_chainId(self, params):
        return felt(encode_shortstring(self.node.chain_id or self.chain.chain_id))

    def starknet_blockNumber(self, params):
        return self.chain.latest.number

    def starknet_blockHashAndNumber(self, params):
        return {"block_hash": felt(self.chain.latest.hash), "block_number": self.chain.latest.number}

    def _contract(self, params: dict) -> tuple[int, Contract]:
        address = _felt_param(params, "contract_address")
        self.chain.resolve_block(params.get("block_id"))
        contract = self.chain.contracts.get(address)
        if contract is None:
            raise RpcError(20, "Contract not found")
        return address, contract

    def starknet_call(self, params):
        request = params.get("request") or {}
        _, contract = self._contract({**request, "block_id": params.get("block_id")})
        selector = _felt_param(request, "entry_point_selector")
        calldata = [int(item, 16) for item in request.get("calldata", [])]
        name = self.node.selector_names.get(selector)
        return [felt(value) for value in contract.call(self.chain, name, calldata)]

    def starknet_getClassHashAt(self, params):
        return felt(self._contract(params)[1].class_hash)

    def starknet_getNonce(self, params):
        contract = self._contract(params)[1]
        return felt(contract.nonce if isinstance(contract, Account) else 0)

    def _tx(self, params) -> Tx:
        tx = self.chain.txs.get(_felt_param(params, "transaction_hash"))
        if tx is None or tx.block_number is None:
            raise RpcError(29, "Transaction hash not found")
        return tx

    def starknet_getTransactionReceipt(self, params):
        return self.chain.receipt_json(self._tx(params))

    def starknet_getTransactionStatus(self, params):
        tx = self._tx(params)
        status = {"finality_status": self.chain.finality_of(tx), "execution_status": tx.execution_status}
        if tx.revert_reason:
            status["failure_reason"] = tx.revert_reason
        return status

    def starknet_getBlockWithTxHashes(self, params):
        return self.chain.block_json(self.chain.resolve_block(params.get("block_id")), "hashes")

    def starknet_getBlockWithTxs(self, params):
        return self.chain.block_json(self.chain.resolve_block(params.get("block_id")), "txs")

    def starknet_getBlockWithReceipts(self, params):
        return self.chain.block_json(self.chain.resolve_block(params.get("block_id")), "receipts")

    def starknet_getEvents(self, params):
        flt = params.get("filter") or {}
        chunk_size = flt.get("chunk_size")
        if not isinstance(chunk_size, int) or chunk_size < 1:
            raise RpcError(-32602, "Invalid params", "chunk_size")
        if chunk_size > self.MAX_CHUNK_SIZE:
            raise RpcError(31, "Requested page size is too big")
        first = self.chain.resolve_block(flt.get("from_block", "latest"))
        last = self.chain.resolve_block(flt.get("to_block", "pre_confirmed"))
        start = first.number if first is not None else len(self.chain.blocks)
        end = last.number if last is not None else len(self.chain.blocks)
        addresses = flt.get("address")
        if isinstance(addresses, str):
            addresses = [addresses]
        wanted = {int(address, 16) for address in addresses} if addresses else None
        keys = [{int(key, 16) for key in position} for position in flt.get("keys") or []]
        matches = []
        sources: list[tuple[BlockRecord | None, list[Tx]]] = [
            (block, block.txs) for block in self.chain.blocks[start : end + 1]
        ]
        if last is None:
            sources.append((None, self.chain.pending))
        for block, txs in sources:
            for tx_index, tx in enumerate(txs):
                for event_index, event in enumerate(tx.events):
                    if wanted is not None and event["from_address"] not in wanted:
                        continue
                    if len(keys) > len(event["keys"]) or any(
                        position and event["keys"][i] not in position for i, position in enumerate(keys)
                    ):
                        continue
                    emitted = {
                        **self.chain._event_json(event),
                        "transaction_hash": felt(tx.hash),
                        "transaction_index": tx_index,
                        "event_index": event_index,
                    }
                    if block is not None:
                        emitted.update({"block_hash": felt(block.hash), "block_number": block.number})
                    matches.append(emitted)
        offset = 0
        token = flt.get("continuation_token")
        if token is not None:
            if not isinstance(token, str) or not token.startswith("page-") or not token[5:].isdigit():
                raise RpcError(33, "The supplied continuation token is invalid or unknown")
            offset = int(token[5:])
            if offset > len(matches):
                raise RpcError(33, "The supplied continuation token is invalid or unknown")
        page = {"events": matches[offset : offset + chunk_size]}
        if offset + chunk_size < len(matches):
            page["continuation_token"] = f"page-{offset + chunk_size}"
        return page


# --- HTTP -------------------------------------------------------------------------------------------


@dataclass
class Fault:
    kind: Literal["status", "hang", "no_result", "not_json", "gather"]
    method: str | None = None  # None: every method
    status: int = 503
    seconds: float = 5.0
    times: int | None = None  # None: until repaired
    barrier: threading.Barrier | None = None  # "gather": the requests wait here for each other


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):
        return

    def do_POST(self):
        node = self.server.node
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            payload = json.loads(raw)
        except ValueError:
            return self._send(200, {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": "Parse error"}})
        method = payload.get("method") if isinstance(payload, dict) else None
        node.record(method, payload.get("params") if isinstance(payload, dict) else None)
        fault = node.take_fault(method)
        if fault is not None:
            if fault.kind == "status":
                return self._send(fault.status, {"error": "injected"}, raw_text="Service unavailable")
            if fault.kind == "hang":
                node.release.wait(fault.seconds)
            if fault.kind == "gather" and fault.barrier is not None:
                # Fewer came than expected: answer anyway; the test's own assertions tell.
                with contextlib.suppress(threading.BrokenBarrierError):
                    fault.barrier.wait(fault.seconds)
            if fault.kind == "no_result":
                return self._send(200, {"jsonrpc": "2.0", "id": payload.get("id")})
            if fault.kind == "not_json":
                return self._send(200, None, raw_text="<html>gateway error</html>")
        return self._send(200, node.answer(payload))

    def _send(self, status: int, body: Any, raw_text: str | None = None):
        data = (raw_text if raw_text is not None else json.dumps(body)).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if raw_text is None else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the client gave up (a timeout test)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    node: StarknetNode


class StarknetNode:
    """A JSON-RPC node on 127.0.0.1 (random port) in a daemon thread. `url` is its endpoint."""

    def __init__(self, chain_id: str = "SN_SEPOLIA"):
        self.chain = Chain(chain_id)
        self.methods: list[str] = []
        self.requests: list[tuple[str | None, Any]] = []
        self.spec_version = SPEC_VERSION
        self.chain_id: str | None = None  # answer another chain id than the chain's own
        self.faults: list[Fault] = []
        self.release = threading.Event()
        self._lock = threading.Lock()
        self._methods = Methods(self)
        names = [
            "name", "symbol", "decimals", "total_supply", "totalSupply", "balance_of", "balanceOf",
            "allowance", "is_valid_signature", "isValidSignature", "transfer", "approve", "get_owner",
        ]  # fmt: skip
        self.selector_names = {get_selector_from_name(name): name for name in names}
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.node = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="starknet-node", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/rpc/v0_10"

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    # --- what tests look at
    def record(self, method: str | None, params: Any) -> None:
        with self._lock:
            self.methods.append(method or "")
            self.requests.append((method, params))

    def calls(self, method: str) -> list[Any]:
        """Params of every request of `method`, in order."""
        with self._lock:
            return [params for name, params in self.requests if name == method]

    def called_functions(self) -> list[str]:
        """Entry point names of every starknet_call, in order."""
        return [
            self.selector_names.get(int(params["request"]["entry_point_selector"], 16), "?")
            for params in self.calls("starknet_call")
        ]

    def clear_log(self) -> None:
        with self._lock:
            self.methods.clear()
            self.requests.clear()

    # --- node trouble
    def fail(self, status: int = 503, *, method: str | None = None, times: int | None = None) -> None:
        """Answer HTTP `status` (503, 429, 500, ...) instead of JSON-RPC."""
        self.faults.append(Fault("status", method=method, status=status, times=times))

    def hang(self, seconds: float = 5.0, *, method: str | None = None, times: int | None = None) -> None:
        """Wait `seconds` before answering (the client's timeout should fire first)."""
        self.faults.append(Fault("hang", method=method, seconds=seconds, times=times))

    def gather(self, requests: int, *, method: str | None = None, seconds: float = 10.0) -> None:
        """Hold each request until `requests` of them have arrived (at most `seconds`), then answer them
        all: concurrent clients are sure to be at the node at the same time."""
        barrier = threading.Barrier(requests)
        self.faults.append(Fault("gather", method=method, seconds=seconds, times=requests, barrier=barrier))

    def answer_without_result(self, *, method: str | None = None, times: int | None = None) -> None:
        """Answer a JSON-RPC body with neither `result` nor `error`."""
        self.faults.append(Fault("no_result", method=method, times=times))

    def answer_not_json(self, *, method: str | None = None, times: int | None = None) -> None:
        self.faults.append(Fault("not_json", method=method, times=times))

    def repair(self) -> None:
        self.faults.clear()
        self.spec_version = SPEC_VERSION
        self.chain_id = None

    def take_fault(self, method: str | None) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method is None or fault.method == method:
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    # --- JSON-RPC
    def answer(self, payload: Any) -> dict[str, Any]:
        request_id = payload.get("id") if isinstance(payload, dict) else None
        if (
            not isinstance(payload, dict)
            or payload.get("jsonrpc") != "2.0"
            or not isinstance(payload.get("method"), str)
        ):
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32600, "message": "Invalid Request"}}
        handler = getattr(self._methods, payload["method"], None)
        if handler is None or not payload["method"].startswith("starknet_"):
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32601, "message": "Method not found"}}
        params = payload.get("params", [])
        if params == []:
            params = {}
        if not isinstance(params, dict):
            return {"jsonrpc": "2.0", "id": request_id, "error": {"code": -32602, "message": "Invalid params"}}
        try:
            with self.chain.lock:
                result = handler(params)
        except RpcError as exc:
            return {"jsonrpc": "2.0", "id": request_id, "error": exc.body()}
        return {"jsonrpc": "2.0", "id": request_id, "result": result}


def unreachable_url() -> str:
    """A URL on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/rpc/v0_10"
