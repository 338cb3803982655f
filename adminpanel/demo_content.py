"""The words of the demo data set (`manage.py seed_demo`): people, bounties, submissions, feedback.

Invented organisations and people; addresses under the reserved `.example` domain, which no one can own.
"""

from dataclasses import dataclass
from decimal import Decimal

DEMO_DOMAIN = "demo.blocra.example"


@dataclass(frozen=True)
class Person:
    username: str
    local_part: str


MODERATOR = Person("maya-moderates", "moderator")

SPONSORS = (
    Person("nebula-labs", "nebula"),
    Person("cairo-guild", "cairo-guild"),
    Person("lumen-dao", "lumen"),
    Person("vesta-wallet", "vesta"),
    Person("orbit-analytics", "orbit"),
    Person("quarry-finance", "quarry"),
)

HUNTERS = (
    Person("ana_builds", "ana"),
    Person("tomas.felt", "tomas"),
    Person("kenji-zk", "kenji"),
    Person("priya_audits", "priya"),
    Person("leo.cairo", "leo"),
    Person("amara-dev", "amara"),
    Person("sven_writes", "sven"),
    Person("ines-ux", "ines"),
    Person("ravi.nodes", "ravi"),
    Person("zoe_tests", "zoe"),
    Person("marek-proofs", "marek"),
    Person("chen.data", "chen"),
    Person("lucia_rs", "lucia"),
)


@dataclass(frozen=True)
class BountyText:
    title: str
    category: str
    difficulty: str
    token: str
    amount: Decimal
    description: str
    requirements: str


def _bounty(title: str, category: str, difficulty: str, reward: str, description: str, requirements: str) -> BountyText:
    amount, token = reward.split()
    return BountyText(title, category, difficulty, token, Decimal(amount), description, requirements)


BOUNTIES = (
    _bounty(
        "Cairo 2 port of our ERC-4626 vault",
        "smart-contracts",
        "advanced",
        "2500 STRK",
        "Our yield vault still runs on Cairo 0. Port it to Cairo 2 with OpenZeppelin's components, keeping "
        "share accounting identical to the deployed version.",
        "Scarb project, snforge tests covering deposit/withdraw/redeem rounding, gas report.",
    ),
    _bounty(
        "Audit the staking rewards distributor",
        "security",
        "expert",
        "6000 USDC",
        "A focused review of a 600-line rewards distributor before mainnet: reward-per-token math, reentrancy "
        "through token hooks, and the upgrade path.",
        "Findings as a markdown report with severity, proof-of-concept tests for anything medium or above.",
    ),
    _bounty(
        "Wallet connect modal for the dApp starter",
        "frontend",
        "intermediate",
        "400 USDC",
        "Build a React modal that lists Argent X, Braavos and injected wallets with get-starknet, remembers the "
        "last choice and handles a rejected connection cleanly.",
        "TypeScript, accessible (keyboard and screen reader), Storybook story, no new runtime dependencies.",
    ),
    _bounty(
        "Index Transfer events into Postgres",
        "analytics",
        "intermediate",
        "900 STRK",
        "A small indexer that follows ERC-20 Transfer events of a list of tokens from a start block, survives "
        "reorgs of the pending block and writes one row per event.",
        "Resumable after a crash, idempotent inserts, a README with a docker-compose example.",
    ),
    _bounty(
        "Write the 'first bounty' tutorial",
        "documentation",
        "beginner",
        "150 STRK",
        "A step-by-step guide for a newcomer: connect a wallet, join a bounty, submit work, get paid. Plain "
        "language, screenshots from the demo environment.",
        "Markdown, under 1500 words, every step tested on Sepolia.",
    ),
    _bounty(
        "Gas profile of our AMM swap path",
        "smart-contracts",
        "advanced",
        "0.8 ETH",
        "Measure where a swap spends its L2 gas and data availability, and propose changes that cut at least "
        "15% without changing the interface.",
        "Before/after numbers from snforge, a branch with the changes, notes on each trade-off.",
    ),
    _bounty(
        "Dark mode for the explorer",
        "design",
        "beginner",
        "200 USDT",
        "Our block explorer only has a light theme. Add a dark palette that follows the system setting and a "
        "toggle that remembers the choice.",
        "WCAG AA contrast on every page, no flash of the wrong theme on load.",
    ),
    _bounty(
        "Fuzz the multisig with snforge",
        "security",
        "advanced",
        "1800 STRK",
        "Write property-based tests for our 2-of-3 multisig: no transaction executes with fewer than the "
        "threshold, signers rotate safely, nonces never repeat.",
        "Fuzz tests in the repository's CI, each invariant documented in a comment.",
    ),
    _bounty(
        "Grafana dashboard for sequencer latency",
        "devops",
        "intermediate",
        "350 USDC",
        "We export Prometheus metrics from our full node. Build a dashboard showing block lag, RPC latency by "
        "method and error rates, with sensible alerts.",
        "Dashboard JSON, alert rules, a screenshot of it running against a Sepolia node.",
    ),
    _bounty(
        "Translate the docs into Spanish",
        "documentation",
        "beginner",
        "300 STRK",
        "Translate the getting-started and FAQ sections (about 6000 words) and keep the terminology consistent "
        "with the Starknet Book's Spanish edition.",
        "Native speaker, glossary of the chosen terms, pull request against the docs repository.",
    ),
    _bounty(
        "Session keys for the game client",
        "smart-contracts",
        "expert",
        "3500 STRK",
        "Players should not sign every move. Implement session keys limited by contract, selector and expiry "
        "in our account contract, with a revocation path.",
        "SNIP-9 compatible outside execution, tests for every limit, a short threat model.",
    ),
    _bounty(
        "CSV export for the portfolio page",
        "frontend",
        "beginner",
        "120 USDC",
        "Let users download their positions and transaction history as CSV, with token amounts in display "
        "units and timestamps in UTC.",
        "Works for accounts with 10,000 transfers without freezing the page.",
    ),
    _bounty(
        "Paymaster integration guide",
        "documentation",
        "intermediate",
        "450 USDC",
        "Explain how a dApp sponsors its users' fees with a paymaster: setup, limits, failure modes, and a "
        "minimal working example.",
        "Runnable example repository, diagrams of the flow, reviewed by one of our engineers.",
    ),
    _bounty(
        "Detect wash trading on our DEX",
        "analytics",
        "advanced",
        "1.2 ETH",
        "Flag addresses that trade with themselves or in tight rings to inflate volume. A notebook is fine; "
        "we care about precision more than recall.",
        "Method write-up, labelled sample of 100 addresses, false-positive estimate.",
    ),
    _bounty(
        "Logo and icon set for Lumen DAO",
        "design",
        "intermediate",
        "600 USDT",
        "A logo, a favicon and 24 interface icons in one consistent style for our governance app.",
        "SVG sources, a one-page usage guide, transfer of rights to the DAO.",
    ),
    _bounty(
        "Fix rounding in the fee splitter",
        "smart-contracts",
        "intermediate",
        "700 STRK",
        "Splitting fees between three recipients leaves dust in the contract. Make the split exact and send "
        "the remainder to the treasury.",
        "Regression test reproducing the dust, proof that the sum of payouts equals the fee.",
    ),
    _bounty(
        "Helm chart for a Pathfinder node",
        "devops",
        "intermediate",
        "500 USDC",
        "A Helm chart that runs a Pathfinder full node with persistent storage, health probes and resource "
        "limits suitable for a small cluster.",
        "Chart passes helm lint, documented values, tested on kind.",
    ),
    _bounty(
        "Onboarding quests for new community members",
        "community",
        "beginner",
        "100 STRK",
        "Design five short quests that teach a newcomer to bridge, swap, vote and join a bounty, with clear "
        "success criteria we can verify on chain.",
        "Quest texts, the on-chain checks for each, a feedback form.",
    ),
    _bounty(
        "Event decoder for unknown contracts",
        "analytics",
        "intermediate",
        "800 STRK",
        "Given a contract address, fetch its class ABI and decode its events into named fields, falling back to "
        "raw felts when the ABI is missing.",
        "Library with tests against three real mainnet contracts, handles Cairo 0 and Cairo 2 ABIs.",
    ),
    _bounty(
        "Accessibility review of the bounty pages",
        "design",
        "beginner",
        "180 USDC",
        "Review the bounty list, detail and submission pages with a screen reader and keyboard only, and list "
        "what blocks or slows a user.",
        "Report ordered by impact, with the WCAG criterion for each finding.",
    ),
    _bounty(
        "Merkle airdrop claim contract",
        "smart-contracts",
        "intermediate",
        "1000 STRK",
        "A claim contract for a one-off airdrop: Merkle root set at deploy, one claim per leaf, unclaimed "
        "tokens returned to the treasury after a deadline.",
        "Poseidon-based tree compatible with our JS script, tests for double claims and the sweep.",
    ),
    _bounty(
        "Load test our public RPC gateway",
        "devops",
        "advanced",
        "650 USDC",
        "Find the request rate at which our RPC gateway's p99 latency passes one second, and what gives way "
        "first: the cache, the upstream nodes or the gateway itself.",
        "Reproducible k6 scripts, results with graphs, recommendations.",
    ),
    _bounty(
        "Explain account abstraction in five minutes",
        "community",
        "beginner",
        "80 USDT",
        "A short video or illustrated thread explaining what account abstraction lets a Starknet user do that "
        "an Ethereum user cannot.",
        "Under five minutes or twelve posts, accurate, no jargon left unexplained.",
    ),
    _bounty(
        "Property tests for the u256 math library",
        "security",
        "intermediate",
        "900 STRK",
        "Our fixed-point u256 library has unit tests but no property tests. Add them for mul_div, sqrt and the "
        "rounding modes.",
        "Tests run in CI under a minute, any bug found comes with a minimal reproduction.",
    ),
    _bounty(
        "Notification service for bounty updates",
        "frontend",
        "intermediate",
        "550 USDC",
        "Email and in-app notifications when a joined bounty changes status or a submission is reviewed, with "
        "per-user preferences.",
        "Unsubscribe link in every email, digest mode, tests for the preference logic.",
    ),
    _bounty(
        "Historical TVL chart for the lending pool",
        "analytics",
        "beginner",
        "250 STRK",
        "Chart the pool's total value locked per day since launch, priced in USD at each day's close.",
        "Data source documented, chart embeddable in our docs, CSV of the series.",
    ),
    _bounty(
        "Upgradeable proxy migration plan",
        "smart-contracts",
        "expert",
        "1.5 ETH",
        "We want to move three contracts behind an upgrade pattern without losing state. Write the migration "
        "plan and the contracts, including storage layout checks.",
        "Dry run on a Sepolia fork, rollback plan, review of the access control on upgrades.",
    ),
    _bounty(
        "Bridge status page",
        "frontend",
        "intermediate",
        "400 USDT",
        "A public page showing whether deposits and withdrawals through the bridge are flowing, with the last "
        "processed message in each direction.",
        "Static site, refreshes every minute, degrades clearly when a data source is down.",
    ),
    _bounty(
        "Community call notes template",
        "community",
        "beginner",
        "60 USDC",
        "A template and a short process for publishing notes of our fortnightly community calls within a day.",
        "Template in markdown, an example filled in from our last call's recording.",
    ),
    _bounty(
        "Threat model for the bounty escrow",
        "security",
        "advanced",
        "2000 USDC",
        "Model the threats to an escrow that holds bounty rewards until a winner is chosen: who can move funds, "
        "what a compromised key can do, and what the contract must check.",
        "STRIDE-style document, concrete recommendations, review call with our team.",
    ),
)

SUBMISSIONS = (
    "Pull request opened with the implementation and tests; the README explains how to run them.",
    "First version is up on my fork. I kept the public interface unchanged and listed open questions in the PR.",
    "Done: code, tests and a short write-up of the design choices. Happy to iterate on naming.",
    "Here is my submission with a recorded walkthrough; the edge cases you mentioned are covered by tests.",
    "Submitted the report and the reproduction repository. Two findings need your decision before I go further.",
    "Implementation complete. Benchmarks before and after are in the PR description.",
)

APPROVALS = (
    "Clean work and well tested. Thank you!",
    "Exactly what we needed; merged.",
    "Great write-up, approved.",
)

REJECTIONS = (
    "Thanks for the effort, but this does not cover the requirements listed above.",
    "The tests do not run in CI; please resubmit once they pass.",
    "Out of scope for this bounty, sorry.",
)

FEEDBACK = (
    ("Ana", "Love the bounty filters! Could you add a filter for rewards paid in USDC only?", "read"),
    ("Tomas", "The submission form lost my text when my session expired. A draft would help.", "new"),
    ("Anonymous", "Payout arrived within minutes of approval. Great experience.", "resolved"),
    ("Ines", "The dashboard builder's bar chart labels overlap on mobile.", "new"),
)
