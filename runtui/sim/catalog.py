"""The fixed demo world: Wexa agentflows, Edges flows and B3OS workflows.

Names are fixed; ids are derived from the seed (sha256), so a config written
for one seed stays valid for every run count and every restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from .state import uuid_of

WEBHOOK_SECRET = "sim-webhook-secret"  # B3OS node-resume `secret` for every sim workflow


def derive(seed: int, label: str) -> str:
    return hashlib.sha256(f"runtui-sim:{seed}:{label}".encode()).hexdigest()


def wexa_project_id(seed: int) -> str:
    return derive(seed, "wexa-project")[:24]


def wexa_user_id(seed: int) -> str:
    return derive(seed, "wexa-user")[:24]


def derived_uuid(seed: int, label: str) -> str:
    return uuid_of(int(derive(seed, label)[:32], 16))


@dataclass(frozen=True, slots=True)
class WexaAgent:
    id: str
    title: str
    role: str
    agent_type: str
    model: str


@dataclass(frozen=True, slots=True)
class WexaFlow:
    id: str
    name: str
    role: str
    agents: tuple[WexaAgent, ...]


@dataclass(frozen=True, slots=True)
class EdgesFlow:
    slug: str
    name: str
    uid: str
    steps: tuple[str, ...]
    account_rotation: bool


@dataclass(frozen=True, slots=True)
class B3Node:
    id: str
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class B3Workflow:
    id: str
    name: str
    status: str  # draft | active | paused | archived
    version: int
    nodes: tuple[B3Node, ...]  # nodes[0] is the trigger; the rest run in order
    input_keys: tuple[tuple[str, str, bool, str], ...]  # key, type, required, description

    def wait_index(self) -> int:
        """Index (in the non-trigger node list) of the wait node, or -1."""
        for i, node in enumerate(self.nodes[1:]):
            if node.type == "wait":
                return i
        return -1


_WEXA = (
    ("Lead Qualifier", "Sales", ("Prospect Researcher", "ICP Scorer", "Outreach Writer")),
    (
        "Invoice Reconciler",
        "Finance",
        ("Invoice Parser", "Ledger Matcher", "Anomaly Checker", "Report Writer"),
    ),
    ("Support Triage", "Support", ("Ticket Classifier", "Answer Drafter")),
    (
        "Market Research Brief",
        "Strategy",
        ("Web Researcher", "Competitor Analyst", "Trend Summariser", "Brief Editor", "Fact Checker"),
    ),
    ("Contract Review", "Legal", ("Clause Extractor", "Risk Assessor", "Redline Writer")),
    ("Weekly KPI Digest", "Operations", ("Metrics Collector", "Digest Writer")),
)

_EDGES = (
    (
        "linkedin-profile-enrich",
        "LinkedIn profile enrichment",
        ("linkedin-extract-profile", "linkedin-enrich-company"),
    ),
    (
        "sales-navigator-search-export",
        "Sales Navigator search export",
        ("salesnavigator-search", "linkedin-extract-profile", "email-finder"),
    ),
    (
        "company-employees-extract",
        "Company employees extract",
        ("linkedin-extract-company", "linkedin-extract-employees"),
    ),
    (
        "linkedin-post-engagers",
        "LinkedIn post engagers",
        ("linkedin-extract-post-likers", "linkedin-extract-post-commenters", "linkedin-extract-profile"),
    ),
    ("email-finder-bulk", "Bulk email finder", ("email-finder", "email-verifier")),
)

_B3OS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Daily treasury rebalance",
        "active",
        (
            ("trigger", "schedule", "Every day at 09:00 UTC"),
            ("read_balances", "evm-read-balances", "Read treasury balances"),
            ("compute_target", "code", "Compute target allocation"),
            ("swap", "uniswap-swap", "Swap to target weights"),
            ("notify", "slack-message", "Post summary to #treasury"),
        ),
    ),
    (
        "Whale wallet alert",
        "active",
        (
            ("trigger", "onchain-transfer", "Large transfer detected"),
            ("enrich", "wallet-labels", "Label the wallets"),
            ("notify", "telegram-message", "Alert the desk"),
        ),
    ),
    (
        "NFT mint notifier",
        "active",
        (
            ("trigger", "manual", "Manual trigger"),
            ("fetch_mints", "http-request", "Fetch recent mints"),
            ("filter", "code", "Keep collections we follow"),
            ("for_each", "for-each", "For each mint"),
            ("notify", "discord-message", "Announce mint"),
        ),
    ),
    (
        "Gas refuel bot",
        "active",
        (
            ("trigger", "manual", "Manual trigger"),
            ("check_gas", "evm-read-balances", "Check hot wallet gas"),
            ("refuel", "evm-transfer", "Top up gas"),
        ),
    ),
    (
        "Payroll in USDC",
        "active",
        (
            ("trigger", "manual", "Manual trigger"),
            ("load_sheet", "google-sheets-read", "Load payroll sheet"),
            ("approval", "wait", "Wait for finance approval"),
            ("pay", "evm-batch-transfer", "Send USDC"),
            ("receipt", "email-send", "Email receipts"),
        ),
    ),
    (
        "Legacy bridge sweeper",
        "archived",
        (
            ("trigger", "manual", "Manual trigger"),
            ("sweep", "bridge-transfer", "Sweep bridge dust"),
        ),
    ),
)


class Catalog:
    """All demo workflows for one seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.project_id = wexa_project_id(seed)
        self.user_id = wexa_user_id(seed)
        self.teammate_id = derive(seed, "wexa-teammate")[:24]
        self.organization_id = "org_" + derive(seed, "b3os-org")[:20]
        self.workspace_uid = derived_uuid(seed, "edges-workspace")
        self.edges_users = (derived_uuid(seed, "edges-user-1"), derived_uuid(seed, "edges-user-2"))
        self.b3os_users = (
            "usr_" + derive(seed, "b3os-user-1")[:16],
            "usr_" + derive(seed, "b3os-user-2")[:16],
        )
        self.wexa: tuple[WexaFlow, ...] = tuple(
            WexaFlow(
                id=derive(seed, f"agentflow:{name}")[:24],
                name=name,
                role=role,
                agents=tuple(
                    WexaAgent(
                        id=derive(seed, f"agent:{name}:{title}")[:24],
                        title=title,
                        role=title.split()[-1],
                        agent_type="tool_agent" if i % 2 else "llm_agent",
                        model=("gpt-4o", "claude-3-5-sonnet", "gpt-4o-mini")[i % 3],
                    )
                    for i, title in enumerate(agents)
                ),
            )
            for name, role, agents in _WEXA
        )
        self.edges: tuple[EdgesFlow, ...] = tuple(
            EdgesFlow(
                slug=slug,
                name=name,
                uid=derived_uuid(seed, f"flow:{slug}"),
                steps=steps,
                account_rotation=i % 2 == 0,
            )
            for i, (slug, name, steps) in enumerate(_EDGES)
        )
        self.b3os: tuple[B3Workflow, ...] = tuple(
            B3Workflow(
                id="wf_" + derive(seed, f"workflow:{name}")[:20],
                name=name,
                status=status,
                version=1 + i % 3,
                nodes=tuple(B3Node(nid, ntype, desc) for nid, ntype, desc in nodes),
                input_keys=(
                    ("amount", "number", False, "Amount to use"),
                    ("note", "string", False, "Free text note"),
                ),
            )
            for i, (name, status, nodes) in enumerate(_B3OS)
        )
        self.wexa_by_id = {f.id: i for i, f in enumerate(self.wexa)}
        self.edges_by_slug = {f.slug: i for i, f in enumerate(self.edges)}
        self.b3os_by_id = {w.id: i for i, w in enumerate(self.b3os)}
        # runnable B3OS workflows (the archived one only has history)
        self.b3os_runnable = tuple(i for i, w in enumerate(self.b3os) if w.status != "archived")

    def describe(self) -> dict[str, object]:
        """What /_sim/catalog shows: the ids a demo or a test can act on."""
        return {
            "seed": self.seed,
            "wexa": {
                "project_id": self.project_id,
                "user_id": self.user_id,
                "agentflows": [{"agentflow_id": f.id, "name": f.name} for f in self.wexa],
            },
            "edges": {"flows": [{"slug": f.slug, "name": f.name, "uid": f.uid} for f in self.edges]},
            "b3os": {
                "organization_id": self.organization_id,
                "webhook_secret": WEBHOOK_SECRET,
                "workflows": [{"id": w.id, "name": w.name, "status": w.status} for w in self.b3os],
            },
        }
