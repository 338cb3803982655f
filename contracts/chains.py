"""The chains BlocRA reads: saved queries and chain statistics accept only these names."""

DEFAULT_CHAIN = "starknet"
SUPPORTED_CHAINS = frozenset({DEFAULT_CHAIN})
